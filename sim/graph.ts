// A fake Microsoft Graph for the Outlook transport: https on 127.0.0.1 with a self-signed certificate made at start,
// serving `POST /v1.0/users/{id}/sendMail` and `GET /v1.0/users/{id}`. As strict as Graph where we know the rule:
// - bearer token required (401 InvalidAuthenticationToken), tokens from the Entra fake accepted;
// - body per https://learn.microsoft.com/graph/api/user-sendmail: `message` required, at least one recipient,
//   `body.contentType` `text` or `html` (Graph's bodyType enum, case-insensitive), recipients as
//   `{ emailAddress: { address } }`, at most 500 recipients (message resource docs);
// - internetMessageId in angle brackets (RFC 2822 form, message resource docs);
// - internetMessageHeaders: 1 to 5 entries, names starting `x-` (400 InvalidInternetMessageHeader, as Graph answers);
// - request over 4 MB: 413 (Graph's request size limit);
// - unknown sender: 404 ErrorInvalidUser.
// Success is 202 with an empty body and `request-id`/`client-request-id` headers; errors use Graph's error shape.
// Scripted answers (401/403/429 with Retry-After/5xx) are queued with `script()`.
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';

export interface GraphSimOptions {
  /** Mailboxes that exist (UPNs, case-insensitive). Default: `alerts@contoso.example`. */
  mailboxes?: string[];
  /** Which bearer tokens are valid. Default: those the Entra fake issues (`sim-entra-…`). */
  acceptToken?: (token: string) => boolean;
  /** Whether the app may read users (User.Read.All); `GET /users/{id}` answers 403 otherwise. Default true. */
  userReadAll?: boolean;
}

export interface GraphSentMail {
  sender: string;
  body: { message: Record<string, unknown>; saveToSentItems?: boolean };
  requestId: string;
  clientRequestId: string | null;
}

export interface GraphSimulator {
  /** e.g. `https://localhost:PORT/v1.0` */
  baseUrl: string;
  caPem: string;
  sent: GraphSentMail[];
  requests: { method: string; path: string; status: number }[];
  /** The next `times` requests answer this status (and Retry-After, if given) instead of being processed. */
  script(status: number, opts?: { code?: string; message?: string; retryAfter?: string; times?: number }): void;
  close(): Promise<void>;
}

const MAX_BYTES = 4 * 1024 * 1024;

export async function startGraphSimulator(opts: GraphSimOptions = {}): Promise<GraphSimulator> {
  const { generate } = await import('selfsigned');
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] }],
  });
  const mailboxes = new Set((opts.mailboxes ?? ['alerts@contoso.example']).map((m) => m.toLowerCase()));
  const acceptToken = opts.acceptToken ?? ((t: string) => t.startsWith('sim-entra-'));
  const sent: GraphSentMail[] = [];
  const requests: GraphSimulator['requests'] = [];
  const scripted: { status: number; code: string; message: string; retryAfter: string | undefined; left: number }[] = [];

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BYTES) chunks.push(c);
    });
    req.on('end', () => {
      const requestId = randomUUID();
      const clientRequestId = (req.headers['client-request-id'] as string | undefined) ?? null;
      const path = new URL(req.url ?? '/', 'https://localhost').pathname;
      const reply = (status: number, code?: string, message?: string, headers: Record<string, string> = {}) => {
        requests.push({ method: req.method ?? '', path, status });
        const h: Record<string, string> = { 'request-id': requestId, ...(clientRequestId ? { 'client-request-id': clientRequestId } : {}), ...headers };
        if (code === undefined) {
          res.writeHead(status, h);
          return res.end();
        }
        res.writeHead(status, { ...h, 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code, message: message ?? code, innerError: { date: new Date().toISOString(), 'request-id': requestId, 'client-request-id': clientRequestId } } }));
      };
      const auth = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '');
      if (!auth || !acceptToken(auth[1]!)) return reply(401, 'InvalidAuthenticationToken', 'Access token is empty or invalid.');
      const s = scripted[0];
      if (s) {
        if (--s.left <= 0) scripted.shift();
        return reply(s.status, s.code, s.message, s.retryAfter ? { 'retry-after': s.retryAfter } : {});
      }
      const m = /^\/v1\.0\/users\/([^/]+)(\/sendMail)?$/.exec(path);
      if (!m) return reply(404, 'UnknownError', `No route ${req.method} ${path}`);
      const user = decodeURIComponent(m[1]!).toLowerCase();
      if (req.method === 'GET' && !m[2]) {
        if (opts.userReadAll === false) return reply(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
        if (!mailboxes.has(user)) return reply(404, 'Request_ResourceNotFound', `Resource '${user}' does not exist.`);
        requests.push({ method: 'GET', path, status: 200 });
        res.writeHead(200, { 'content-type': 'application/json', 'request-id': requestId });
        return res.end(JSON.stringify({ id: randomUUID(), mail: user, userPrincipalName: user }));
      }
      if (req.method !== 'POST' || !m[2]) return reply(405, 'Request_BadRequest', 'Method not allowed.');
      if (size > MAX_BYTES) return reply(413, 'RequestEntityTooLarge', 'The request is larger than 4 MB.');
      if (!/^application\/json/i.test(req.headers['content-type'] ?? '')) return reply(415, 'UnsupportedMediaType', 'Content-Type must be application/json.');
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return reply(400, 'RequestBodyRead', 'Invalid JSON.');
      }
      const problem = checkSendMail(body);
      if (problem) return reply(400, problem.code, problem.message);
      if (!mailboxes.has(user)) return reply(404, 'ErrorInvalidUser', `The requested user '${user}' is invalid.`);
      sent.push({ sender: user, body: body as GraphSentMail['body'], requestId, clientRequestId });
      reply(202);
    });
  };

  const server: Server = createServer({ key: pems.private, cert: pems.cert }, handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `https://localhost:${port}/v1.0`,
    caPem: pems.cert,
    sent,
    requests,
    script(status, o = {}) {
      scripted.push({ status, code: o.code ?? `Scripted${status}`, message: o.message ?? `scripted ${status}`, retryAfter: o.retryAfter, left: o.times ?? 1 });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

type Problem = { code: string; message: string } | null;

function isRecipient(r: unknown): boolean {
  const a = (r as { emailAddress?: { address?: unknown } } | null)?.emailAddress?.address;
  return typeof a === 'string' && /^[^\s@]+@[^\s@]+$/.test(a);
}

/** The checks Graph applies to a sendMail body that this fake reproduces. */
export function checkSendMail(body: unknown): Problem {
  const msg = (body as { message?: unknown } | null)?.message;
  if (typeof msg !== 'object' || msg === null) return { code: 'ErrorInvalidRequest', message: 'The message is missing.' };
  const m = msg as Record<string, unknown>;
  const to = m.toRecipients;
  const cc = m.ccRecipients ?? [];
  if (!Array.isArray(to) || to.length === 0) return { code: 'ErrorInvalidRecipients', message: 'At least one recipient is not valid., Recipient is missing.' };
  if (!Array.isArray(cc)) return { code: 'RequestBodyRead', message: 'ccRecipients must be an array.' };
  if (![...to, ...cc].every(isRecipient)) return { code: 'ErrorInvalidRecipients', message: 'At least one recipient is not valid.' };
  if (to.length + cc.length > 500) return { code: 'ErrorTooManyRecipients', message: 'Too many recipients.' };
  const b = m.body as { contentType?: unknown; content?: unknown } | undefined;
  if (b !== undefined) {
    if (typeof b.contentType !== 'string' || !/^(text|html)$/i.test(b.contentType)) return { code: 'RequestBodyRead', message: `Requested value '${String(b.contentType)}' was not found.` };
    if (typeof b.content !== 'string') return { code: 'RequestBodyRead', message: 'body.content must be a string.' };
  }
  if (m.internetMessageId !== undefined && (typeof m.internetMessageId !== 'string' || !/^<[^<>\s]+@[^<>\s]+>$/.test(m.internetMessageId))) {
    return { code: 'InvalidInternetMessageId', message: 'The internet message id must be enclosed in angle brackets.' };
  }
  const h = m.internetMessageHeaders;
  if (h !== undefined) {
    if (!Array.isArray(h) || h.length === 0 || h.length > 5) return { code: 'InvalidInternetMessageHeaderCollection', message: 'Maximum number of headers in one message should be less than or equal to 5.' };
    for (const x of h as { name?: unknown; value?: unknown }[]) {
      if (typeof x.name !== 'string' || !/^x-/i.test(x.name)) return { code: 'InvalidInternetMessageHeader', message: `The internet message header name '${String(x.name)}' should start with 'x-' or 'X-'.` };
      if (typeof x.value !== 'string') return { code: 'InvalidInternetMessageHeader', message: 'Header value must be a string.' };
    }
  }
  return null;
}
