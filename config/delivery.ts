// Email delivery: which transport (outbox folder, SMTP, Outlook through Microsoft Graph), its settings, the From
// address and the default team's recipients, from the environment. Every problem is reported at once, naming the
// variable; every secret (the SMTP password, SMTP_URL and the password inside it, the client secret) is recorded
// so the cycle scrubs it from whatever it writes.
import { resolve } from 'node:path';
import type { ConfigIssue } from '../errors.js';
import type { DeliveryConfig, GraphSettings } from '../sinks/mail/factory.js';
import type { SmtpOptions } from '../sinks/mail/smtp.js';
import type { TransportKind } from '../sinks/mail/types.js';
import type { EnvSource } from './source.js';

export type { DeliveryConfig } from '../sinks/mail/factory.js';

const TRANSPORTS: readonly TransportKind[] = ['outbox', 'smtp', 'graph'];
const ADDRESS = /^[^\s@<>,;"()[\]\\]+@[^\s@<>,;"()[\]\\]+$/;
/** `alerts@contoso.com` or `Pipeline audit <alerts@contoso.com>` (no line breaks, which could forge headers). */
const FROM = /^(?:[^\r\n<>@]*<)?[^\s@<>,;"()[\]\\]+@[^\s@<>,;"()[\]\\]+>?$/;

export const DEFAULT_OUTBOX_DIR = 'pipeline-audit-outbox';
export const DEFAULT_FROM = 'pipeline-audit@localhost';

function bool(src: EnvSource, name: string, fallback: boolean, issues: ConfigIssue[]): boolean {
  const v = src.get(name)?.toLowerCase();
  if (v === undefined) return fallback;
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  issues.push({ variable: name, message: `must be true or false, got '${v}'` });
  return fallback;
}

function readSmtp(src: EnvSource, issues: ConfigIssue[]): SmtpOptions | undefined {
  const url = src.secret('SMTP_URL');
  const host = src.get('SMTP_HOST');
  const requireTLS = bool(src, 'SMTP_REQUIRE_TLS', true, issues);
  const user = src.get('SMTP_USER');
  const password = src.secret('SMTP_PASSWORD');
  if (url !== undefined) {
    let parsed: URL | null = null;
    try {
      parsed = new URL(url);
    } catch {
      // reported below; the value is a secret and is never repeated
    }
    if (!parsed || (parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:') || parsed.hostname === '') {
      issues.push({ variable: 'SMTP_URL', message: 'must look like smtp://user:password@host:587 or smtps://user:password@host:465 (value not shown: it may hold a password)' });
      return undefined;
    }
    if (parsed.password) {
      src.secrets.push(parsed.password);
      src.secrets.push(decodeURIComponent(parsed.password));
    }
    return { url, requireTLS, ...(user !== undefined ? { user } : {}), ...(password !== undefined ? { password } : {}) };
  }
  if (host === undefined) return undefined;
  const port = src.num('SMTP_PORT', 587, 1);
  if (!Number.isInteger(port) || port > 65535) issues.push({ variable: 'SMTP_PORT', message: `must be a port number (1-65535), got '${src.get('SMTP_PORT') ?? ''}'` });
  if (password !== undefined && user === undefined) issues.push({ variable: 'SMTP_USER', message: 'SMTP_PASSWORD is set but SMTP_USER is not' });
  return { host, port, requireTLS, ...(user !== undefined ? { user } : {}), ...(password !== undefined ? { password } : {}) };
}

function readGraph(src: EnvSource, issues: ConfigIssue[], required: boolean): GraphSettings | undefined {
  const sender = src.get('OUTLOOK_SENDER');
  const tenant = src.first('OUTLOOK_TENANT_ID', 'AZURE_TENANT_ID');
  const client = src.first('OUTLOOK_CLIENT_ID', 'AZURE_CLIENT_ID');
  const secretName = src.first('OUTLOOK_CLIENT_SECRET', 'AZURE_CLIENT_SECRET')?.name;
  const secret = src.secret(secretName);
  const authorityHost = src.get('AZURE_AUTHORITY_HOST');
  if (!required) return undefined;
  const why = 'required to send through Outlook (Microsoft Graph)';
  if (sender === undefined) issues.push({ variable: 'OUTLOOK_SENDER', message: `${why}: the mailbox to send as, e.g. alerts@contoso.com` });
  else if (!ADDRESS.test(sender) && !/^[0-9a-f-]{36}$/i.test(sender)) issues.push({ variable: 'OUTLOOK_SENDER', message: `must be a mailbox address (UPN) or a user object id, got '${sender}'` });
  if (!tenant) issues.push({ variable: 'OUTLOOK_TENANT_ID (or AZURE_TENANT_ID)', message: why });
  if (!client) issues.push({ variable: 'OUTLOOK_CLIENT_ID (or AZURE_CLIENT_ID)', message: why });
  if (secret === undefined) issues.push({ variable: 'OUTLOOK_CLIENT_SECRET (or AZURE_CLIENT_SECRET)', message: `${why} (the secret's value, not its id)` });
  if (authorityHost !== undefined && !/^https:\/\//i.test(authorityHost)) issues.push({ variable: 'AZURE_AUTHORITY_HOST', message: `must be an https:// URL, got '${authorityHost}'` });
  if (sender === undefined || !tenant || !client || secret === undefined) return undefined;
  return { sender, tenantId: tenant.value, clientId: client.value, clientSecret: secret, ...(authorityHost !== undefined ? { authorityHost } : {}) };
}

function transportOf(src: EnvSource, issues: ConfigIssue[]): TransportKind {
  const explicit = src.get('PIPELINE_AUDIT_MAIL_TRANSPORT')?.toLowerCase();
  if (explicit !== undefined) {
    if ((TRANSPORTS as readonly string[]).includes(explicit)) return explicit as TransportKind;
    issues.push({ variable: 'PIPELINE_AUDIT_MAIL_TRANSPORT', message: `must be one of ${TRANSPORTS.join(', ')}, got '${explicit}'` });
    return 'outbox';
  }
  if (src.get('SMTP_URL') !== undefined || src.get('SMTP_HOST') !== undefined) return 'smtp';
  // OUTLOOK_SENDER says "send through Outlook"; the client id and secret may be the shared AZURE_* ones, so they
  // alone decide nothing, and when they are missing that is an error, not a silent fallback to the outbox.
  if (src.get('OUTLOOK_SENDER') !== undefined) return 'graph';
  return 'outbox';
}

function readNotifyTo(src: EnvSource, issues: ConfigIssue[]): string[] {
  const list = (src.get('PIPELINE_AUDIT_NOTIFY_TO') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const bad = list.filter((a) => !ADDRESS.test(a));
  if (bad.length) issues.push({ variable: 'PIPELINE_AUDIT_NOTIFY_TO', message: `not an email address: ${bad.map((b) => `'${b}'`).join(', ')} (a comma list of plain addresses)` });
  return list.filter((a) => ADDRESS.test(a));
}

function readAllClearHour(src: EnvSource, issues: ConfigIssue[]): number | null {
  const v = src.get('PIPELINE_AUDIT_ALL_CLEAR_HOUR');
  if (v === undefined) return null;
  const n = Number(v);
  if (!/^\d{1,2}$/.test(v) || n > 23) {
    issues.push({ variable: 'PIPELINE_AUDIT_ALL_CLEAR_HOUR', message: `must be an hour from 0 to 23, got '${v}'` });
    return null;
  }
  return n;
}

export function readDeliveryConfig(src: EnvSource, issues: ConfigIssue[], cwd: string): DeliveryConfig {
  const transport = transportOf(src, issues);
  const smtp = readSmtp(src, issues);
  const graph = readGraph(src, issues, transport === 'graph');
  if (transport === 'smtp' && !smtp && !issues.some((i) => i.variable === 'SMTP_URL')) {
    issues.push({ variable: 'SMTP_HOST (or SMTP_URL)', message: 'required when PIPELINE_AUDIT_MAIL_TRANSPORT is smtp' });
  }
  const smtpUser = smtp?.user ?? (smtp?.url ? safeUrlUser(smtp.url) : undefined);
  const from =
    src.first('PIPELINE_AUDIT_MAIL_FROM', 'SMTP_FROM')?.value ??
    (transport === 'graph' ? src.get('OUTLOOK_SENDER') : undefined) ??
    (transport === 'smtp' && smtpUser !== undefined && ADDRESS.test(smtpUser) ? smtpUser : undefined) ??
    DEFAULT_FROM;
  if (!FROM.test(from)) issues.push({ variable: src.first('PIPELINE_AUDIT_MAIL_FROM', 'SMTP_FROM')?.name ?? 'PIPELINE_AUDIT_MAIL_FROM', message: `must be an address, or Name <address>, got '${from}'` });
  return {
    transport,
    outboxDir: resolve(cwd, src.get('PIPELINE_AUDIT_OUTBOX_DIR') ?? DEFAULT_OUTBOX_DIR),
    from,
    ...(transport === 'smtp' && smtp ? { smtp } : {}),
    ...(graph ? { graph } : {}),
    notifyTo: readNotifyTo(src, issues),
    allClearHour: readAllClearHour(src, issues),
  };
}

function safeUrlUser(url: string): string | undefined {
  try {
    const u = decodeURIComponent(new URL(url).username);
    return u === '' ? undefined : u;
  } catch {
    return undefined;
  }
}
