import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { createServer, type AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { createSmtpTransport, type SmtpOptions } from '../../../sinks/mail/smtp.js';
import { DeliveryError, type MailMessage } from '../../../sinks/mail/types.js';
import { renderDigest } from '../../../summarize/digest/index.js';
import { notice, team, OPTS } from '../../summarize/digest/fixtures.js';
import { startSmtpPeer, type SmtpPeer } from './smtp-peer.js';

const XSS = '<img src=x onerror=alert(1)>';

function message(): MailMessage {
  const d = renderDigest(team([notice('new', { jobName: `${XSS}job`, runUrl: 'https://x.example/run/1', errorText: 'boom https://evil.example' })], { team: `${XSS}team` }), null, OPTS);
  return { from: 'audit@example.com', to: ['oncall@example.com'], cc: ['lead@example.com'], subject: d.subject, html: d.html, text: d.text, messageId: '<data-eng.cyc1.abc123@pipeline-audit>', headers: { 'X-Pipeline-Audit-Cycle': 'cyc1' } };
}

async function expectDeliveryError(p: Promise<unknown>): Promise<DeliveryError> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(DeliveryError);
  return e as DeliveryError;
}

describe('SMTP transport against a real SMTP server with STARTTLS', () => {
  let peer: SmtpPeer;
  let base: SmtpOptions;
  beforeAll(async () => {
    peer = await startSmtpPeer({ starttls: true });
    base = { host: '127.0.0.1', port: peer.port, user: 'user', password: 'pa$$-secret', tls: { ca: [peer.cert], servername: 'localhost' }, greetingTimeoutMs: 5000 };
  });
  afterAll(async () => {
    await peer.close();
  });

  it('sends over STARTTLS with both parts, the links, escaped hostile text and the Message-ID preserved', async () => {
    const t = createSmtpTransport(base);
    const msg = message();
    const r = await t.send(msg);
    await t.close();
    expect(r).toMatchObject({ accepted: true, id: msg.messageId });
    expect(r.response).toContain('250');
    const got = peer.received.at(-1)!;
    expect(got.secure).toBe(true);
    expect(got.rcpt).toEqual(['oncall@example.com', 'lead@example.com']);
    const p = await simpleParser(got.raw);
    expect(p.messageId).toBe(msg.messageId);
    expect(p.subject).toBe(msg.subject);
    expect(p.html).toBe(msg.html);
    expect(p.text).toBe(msg.text);
    expect(p.headers.get('x-pipeline-audit-cycle')).toBe('cyc1');
    expect(p.html).toContain('<a href="https://x.example/run/1"');
    expect(p.html).toContain('&lt;img src=x onerror=alert(1)&gt;job');
    expect(p.html).not.toContain('<img');
    expect(p.html).not.toContain('https://evil.example');
    expect(p.text).toContain('run: https://x.example/run/1');
  });

  it('verify() logs in over TLS', async () => {
    const t = createSmtpTransport(base);
    const v = await t.verify!();
    await t.close();
    expect(v.ok).toBe(true);
  });

  it('classifies a 451 at DATA as retryable and a 554 as permanent', async () => {
    const t = createSmtpTransport(base);
    peer.rejectNextData(451, 'Try again later');
    const soft = await expectDeliveryError(t.send(message()));
    expect(soft).toMatchObject({ retryable: true, isRetryable: true, status: 451, code: 'EMESSAGE', transport: 'smtp', kind: 'delivery' });
    peer.rejectNextData(554, 'Rejected as spam');
    const hard = await expectDeliveryError(t.send(message()));
    expect(hard).toMatchObject({ retryable: false, status: 554 });
    expect(hard.message).toContain('Rejected as spam');
    expect(hard.cause).toBeDefined();
    await t.close();
  });

  it('a wrong password is permanent and the password never appears in the error', async () => {
    const t = createSmtpTransport({ ...base, password: 'wrong-secret-value' });
    const e = await expectDeliveryError(t.send(message()));
    await t.close();
    expect(e.retryable).toBe(false);
    expect(e.code).toBe('EAUTH');
    expect(e.message).not.toContain('wrong-secret-value');
  });

  it('keeps a URL password out of errors too', async () => {
    const t = createSmtpTransport({ url: `smtp://user:pa%24%24-secret@127.0.0.1:${peer.port}`, tls: { ca: [peer.cert], servername: 'localhost' } });
    peer.rejectNextData(554, 'echoing pa$$-secret back');
    const e = await expectDeliveryError(t.send(message()));
    await t.close();
    expect(e.status).toBe(554);
    expect(e.message).not.toContain('pa$$-secret');
    expect(e.message).toContain('***');
  });

  it('refuses an untrusted certificate without falling back to plain text (not retryable)', async () => {
    const t = createSmtpTransport({ ...base, tls: { servername: 'localhost' } });
    const e = await expectDeliveryError(t.send(message()));
    await t.close();
    expect(e.retryable).toBe(false);
    expect(e.message).toContain('not trusted');
  });
});

describe('SMTP transport: TLS required, server down', () => {
  it('refuses to send when the server offers no STARTTLS, unless the requirement is turned off', async () => {
    const plain = await startSmtpPeer({ starttls: false });
    try {
      const opts: SmtpOptions = { host: '127.0.0.1', port: plain.port, user: 'user', password: 'pa$$-secret' };
      const strict = createSmtpTransport(opts);
      const e = await expectDeliveryError(strict.send(message()));
      await strict.close();
      expect(e.retryable).toBe(false);
      expect(plain.received).toHaveLength(0);
      const lax = createSmtpTransport({ ...opts, requireTLS: false });
      expect((await lax.send(message())).accepted).toBe(true);
      await lax.close();
      expect(plain.received[0]!.secure).toBe(false);
    } finally {
      await plain.close();
    }
  });

  it('a server that is down is retryable', async () => {
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    const port = (srv.address() as AddressInfo).port;
    await new Promise<void>((r) => srv.close(() => r()));
    const t = createSmtpTransport({ host: '127.0.0.1', port });
    const e = await expectDeliveryError(t.send(message()));
    await t.close();
    expect(e.retryable).toBe(true);
    expect(e.message).toContain(`127.0.0.1:${port}`);
  });

  it('rejects a malformed Message-ID before connecting', async () => {
    const t = createSmtpTransport({ host: '127.0.0.1', port: 1 });
    const e = await expectDeliveryError(t.send({ ...message(), messageId: 'no-brackets@x' }));
    expect(e.retryable).toBe(false);
  });
});
