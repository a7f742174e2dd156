// The outbox transport: writes each message as a complete MIME file (`.eml`, opens in any mail client) and its
// HTML part (`.html`, opens in a browser) into a folder. The default when no SMTP or Graph is configured, and what
// `--dry-run` and `demo` use. The MIME comes from nodemailer's MailComposer, the same code that builds what SMTP sends.
import { createHash } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DeliveryError, type MailMessage, type MailTransport, type SendResult } from './types.js';

export interface OutboxOptions {
  dir: string;
  /** Clock for the file stamp and the Date header. */
  now: () => Date;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** `20260329T041000Z`: sorts by time, safe on every file system. */
export function fileStamp(d: Date): string {
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`;
}

/**
 * A file-name-safe form of a team name: lower-case letters, digits, `-` and `_`, at most 60 characters. When that
 * loses anything (so `Team A` and `team-a` could collide), a short hash of the original is appended.
 */
export function teamSlug(team: string): string {
  const slug = team
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  if (slug !== '' && slug === team) return slug;
  return `${slug || 'team'}-${createHash('sha256').update(team).digest('hex').slice(0, 8)}`;
}

/** The full MIME text of a message (multipart/alternative: text then HTML), built by nodemailer. */
export async function composeMime(msg: MailMessage, date: Date): Promise<Buffer> {
  const { default: MailComposer } = await import('nodemailer/lib/mail-composer');
  return new MailComposer({
    from: msg.from,
    to: msg.to,
    cc: msg.cc,
    subject: msg.subject,
    text: msg.text,
    html: msg.html,
    messageId: msg.messageId,
    date,
    ...(msg.headers ? { headers: msg.headers } : {}),
  })
    .compile()
    .build();
}

async function writeAtomic(path: string, data: string | Buffer): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}

export function createOutboxTransport(opts: OutboxOptions): MailTransport {
  return {
    kind: 'outbox',
    async send(msg: MailMessage): Promise<SendResult> {
      const now = opts.now();
      const base = join(opts.dir, `${fileStamp(now)}-${teamSlug(msg.team ?? msg.to[0] ?? 'team')}`);
      try {
        await mkdir(opts.dir, { recursive: true });
        const eml = await composeMime(msg, now);
        await writeAtomic(`${base}.eml`, eml);
        await writeAtomic(`${base}.html`, msg.html);
      } catch (e) {
        throw new DeliveryError(`Could not write the message to the outbox folder ${opts.dir}: check that it exists and is writable.`, { transport: 'outbox', retryable: true, code: (e as NodeJS.ErrnoException).code ?? null }, { cause: e });
      }
      return { accepted: true, id: `${base}.eml`, response: `written ${base}.eml and ${base}.html`, files: [`${base}.eml`, `${base}.html`] };
    },
    async verify() {
      try {
        await mkdir(opts.dir, { recursive: true });
        return { ok: true, checks: [{ name: 'outbox folder', ok: true, detail: opts.dir }] };
      } catch (e) {
        return { ok: false, checks: [{ name: 'outbox folder', ok: false, detail: `${opts.dir}: ${(e as Error).message}` }] };
      }
    },
    async close() {},
  };
}
