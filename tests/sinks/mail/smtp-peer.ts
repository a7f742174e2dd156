// A real SMTP server on 127.0.0.1 for the transport tests (test-peers.md §1): STARTTLS with a self-signed
// certificate made at start, AUTH checked, and scriptable rejections at DATA.
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';

export interface SmtpPeer {
  port: number;
  cert: string;
  received: { raw: Buffer; secure: boolean; user: unknown; rcpt: string[] }[];
  /** The next DATA answers with this code (e.g. 451 or 554). */
  rejectNextData(code: number, message: string): void;
  close(): Promise<void>;
}

export async function selfSigned(): Promise<{ key: string; cert: string }> {
  const { generate } = await import('selfsigned');
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] }],
  });
  return { key: pems.private, cert: pems.cert };
}

export async function startSmtpPeer(opts: { starttls: boolean }): Promise<SmtpPeer> {
  const { key, cert } = await selfSigned();
  const received: SmtpPeer['received'] = [];
  const faults: { code: number; message: string }[] = [];
  const srv = new SMTPServer({
    key,
    cert,
    hideSTARTTLS: !opts.starttls,
    authOptional: false,
    allowInsecureAuth: true,
    disableReverseLookup: true,
    logger: false,
    onAuth(auth, _s, cb) {
      if (auth.username === 'user' && auth.password === 'pa$$-secret') cb(null, { user: auth.username });
      else cb(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const f = faults.shift();
        if (f) return cb(Object.assign(new Error(f.message), { responseCode: f.code }));
        received.push({ raw: Buffer.concat(chunks), secure: session.secure, user: session.user, rcpt: session.envelope.rcptTo.map((r) => r.address) });
        cb(null, 'Queued as TEST123' as unknown as undefined);
      });
    },
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.server.address() as AddressInfo).port;
  return {
    port,
    cert,
    received,
    rejectNextData(code, message) {
      faults.push({ code, message });
    },
    close: () => new Promise<void>((r) => srv.close(() => r())),
  };
}
