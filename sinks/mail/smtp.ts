// The SMTP transport, through nodemailer (loaded on first use). STARTTLS is required unless turned off, because a
// digest names jobs and errors and must not cross the network in clear text; timeouts are short enough for a
// 15-minute cron. Failures are classified with nodemailer's own `permanent` flag (4xx and 503: retry; other 5xx:
// do not), network errors retry, certificate and TLS-policy errors do not (they need a config change).
import type { ConnectionOptions } from 'node:tls';
import { DeliveryError, isValidMessageId, scrub, type MailMessage, type MailTransport, type SendResult, type VerifyResult } from './types.js';

export interface SmtpOptions {
  /** `smtp://user:pass@host:587` or `smtps://…:465`; wins over host/port/user/password where both are given. */
  url?: string;
  host?: string;
  port?: number;
  /** Implicit TLS (port 465). Defaults to true on port 465. */
  secure?: boolean;
  user?: string;
  password?: string;
  /** Refuse to send unless the session is encrypted (STARTTLS or implicit TLS). Default true. */
  requireTLS?: boolean;
  /** Extra TLS settings, e.g. `{ ca }` for a private CA or `{ servername }`. */
  tls?: ConnectionOptions;
  connectionTimeoutMs?: number;
  greetingTimeoutMs?: number;
  socketTimeoutMs?: number;
  /** Client host name for EHLO. */
  name?: string;
}

export const SMTP_DEFAULT_TIMEOUTS = { connectionTimeoutMs: 15_000, greetingTimeoutMs: 15_000, socketTimeoutMs: 60_000 } as const;

interface NodemailerError extends Error {
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
  permanent?: boolean;
  originalCode?: string;
}

type Sender = {
  sendMail(m: Record<string, unknown>): Promise<{ accepted: unknown[]; rejected: unknown[]; response: string; messageId: string }>;
  verify(): Promise<true>;
  close(): void;
};

const NETWORK = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** Retry unless the server said no for good, or the TLS setup is wrong (which no retry fixes). */
export function isRetryableSmtpError(e: NodemailerError): boolean {
  if (typeof e.permanent === 'boolean') return !e.permanent;
  if (typeof e.responseCode === 'number') return e.responseCode < 500 || e.responseCode === 503;
  if (e.code === 'EREQUIRETLS' || e.code === 'ETLS' || e.code === 'EAUTH' || e.code === 'ECONFIG') return false;
  const original = e.originalCode ?? '';
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|HOSTNAME|ALTNAME/.test(original)) return false;
  return NETWORK.has(e.code ?? '') || NETWORK.has(original) || e.code === undefined;
}

function endpoint(opts: SmtpOptions): string {
  if (opts.url) {
    try {
      const u = new URL(opts.url);
      return `${u.hostname}:${u.port || (u.protocol === 'smtps:' ? 465 : 587)}`;
    } catch {
      return '(unparsable SMTP_URL)';
    }
  }
  return `${opts.host ?? 'localhost'}:${opts.port ?? 587}`;
}

function secretsOf(opts: SmtpOptions): string[] {
  const out = [opts.password ?? ''];
  if (opts.url) {
    try {
      out.push(decodeURIComponent(new URL(opts.url).password), new URL(opts.url).password);
    } catch {
      out.push(opts.url);
    }
  }
  return out;
}

export function createSmtpTransport(opts: SmtpOptions): MailTransport {
  const where = endpoint(opts);
  const secrets = secretsOf(opts);
  let sender: Sender | null = null;

  const connect = async (): Promise<Sender> => {
    if (sender) return sender;
    const { createTransport } = await import('nodemailer');
    const port = opts.port ?? 587;
    const config = {
      ...(opts.url ? { url: opts.url } : { host: opts.host ?? 'localhost', port, secure: opts.secure ?? port === 465 }),
      ...(opts.user !== undefined || opts.password !== undefined ? { auth: { user: opts.user ?? '', pass: opts.password ?? '' } } : {}),
      requireTLS: opts.requireTLS ?? true,
      ...(opts.tls ? { tls: opts.tls } : {}),
      ...(opts.name ? { name: opts.name } : {}),
      connectionTimeout: opts.connectionTimeoutMs ?? SMTP_DEFAULT_TIMEOUTS.connectionTimeoutMs,
      greetingTimeout: opts.greetingTimeoutMs ?? SMTP_DEFAULT_TIMEOUTS.greetingTimeoutMs,
      socketTimeout: opts.socketTimeoutMs ?? SMTP_DEFAULT_TIMEOUTS.socketTimeoutMs,
      // Fail rather than send without logging in when credentials are configured but AUTH is not offered.
      forceAuth: opts.user !== undefined,
      logger: false,
      debug: false,
    };
    sender = createTransport(config) as unknown as Sender;
    return sender;
  };

  const fail = (e: unknown, doing: string): DeliveryError => {
    const err = e as NodemailerError;
    const code = err.code ?? err.originalCode ?? null;
    const reply = err.response ? `: ${err.response.slice(0, 300)}` : err.message ? `: ${err.message.slice(0, 300)}` : '';
    const hint =
      err.code === 'EAUTH' ? ' Check the SMTP user and password.'
      : err.code === 'EREQUIRETLS' ? ' The server does not offer STARTTLS; use an encrypted port or turn off the TLS requirement deliberately.'
      : /CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(err.originalCode ?? '') ? ' The server certificate is not trusted; add its CA.'
      : '';
    const retryable = isRetryableSmtpError(err);
    const message = scrub(`SMTP ${doing} via ${where} failed (${[code, err.responseCode].filter((x) => x !== undefined && x !== null).join(' ')})${reply}.${hint}${retryable ? ' It will be retried next cycle.' : ''}`, secrets);
    return new DeliveryError(message, { transport: 'smtp', retryable, status: err.responseCode ?? null, code }, { cause: e });
  };

  return {
    kind: 'smtp',
    async send(msg: MailMessage): Promise<SendResult> {
      if (!isValidMessageId(msg.messageId)) {
        throw new DeliveryError(`Message-ID ${JSON.stringify(msg.messageId.slice(0, 80))} is not of the form <left@right>.`, { transport: 'smtp', retryable: false });
      }
      const s = await connect();
      try {
        const info = await s.sendMail({
          from: msg.from,
          to: msg.to,
          cc: msg.cc,
          subject: msg.subject,
          text: msg.text,
          html: msg.html,
          messageId: msg.messageId,
          ...(msg.headers ? { headers: msg.headers } : {}),
        });
        const rejected = info.rejected.length ? ` (rejected: ${info.rejected.map(String).join(', ')})` : '';
        return { accepted: info.accepted.length > 0, id: info.messageId ?? msg.messageId, response: scrub(`${info.response}${rejected}`, secrets) };
      } catch (e) {
        throw fail(e, 'send');
      }
    },
    async verify(): Promise<VerifyResult> {
      try {
        await (await connect()).verify();
        return { ok: true, checks: [{ name: 'smtp', ok: true, detail: `connected to ${where}${opts.requireTLS === false ? '' : ' with TLS'}, login accepted` }] };
      } catch (e) {
        return { ok: false, checks: [{ name: 'smtp', ok: false, detail: fail(e, 'verify').message }] };
      }
    },
    async close() {
      sender?.close();
      sender = null;
    },
  };
}
