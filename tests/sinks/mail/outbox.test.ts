import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { createOutboxTransport, fileStamp, teamSlug } from '../../../sinks/mail/outbox.js';
import { DeliveryError, type MailMessage } from '../../../sinks/mail/types.js';
import { renderDigest } from '../../../summarize/digest/index.js';
import { notice, team, OPTS } from '../../summarize/digest/fixtures.js';

const now = () => new Date('2026-03-29T04:15:07Z');

function message(teamName: string): MailMessage {
  const d = renderDigest(team([notice('new', { runUrl: 'https://x.example/run/1' })], { team: teamName }), null, OPTS);
  return { from: 'audit@example.com', to: ['oncall@example.com'], cc: [], subject: d.subject, html: d.html, text: d.text, messageId: '<t.c.h@pipeline-audit>', team: teamName };
}

describe('outbox transport', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'outbox-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes an .eml that parses back with both parts and the Message-ID, and the .html part', async () => {
    const t = createOutboxTransport({ dir: join(dir, 'nested'), now });
    const msg = message('data-eng');
    const r = await t.send(msg);
    expect(r.accepted).toBe(true);
    expect(r.files).toEqual([join(dir, 'nested', '20260329T041507Z-data-eng.eml'), join(dir, 'nested', '20260329T041507Z-data-eng.html')]);
    expect(r.id).toBe(r.files![0]);
    const p = await simpleParser(await readFile(r.files![0]!));
    expect(p.messageId).toBe('<t.c.h@pipeline-audit>');
    expect(p.subject).toBe(msg.subject);
    expect(p.html).toBe(msg.html);
    expect(p.text).toBe(msg.text);
    expect(p.date?.toISOString()).toBe('2026-03-29T04:15:07.000Z');
    expect(await readFile(r.files![1]!, 'utf8')).toBe(msg.html);
    expect((await readdir(join(dir, 'nested'))).sort()).toEqual(['20260329T041507Z-data-eng.eml', '20260329T041507Z-data-eng.html']);
  });

  it('sanitizes hostile team names into safe, distinct file names', async () => {
    const t = createOutboxTransport({ dir, now });
    const r1 = await t.send(message('../../etc/passwd <img src=x>'));
    const r2 = await t.send(message('Team A'));
    const r3 = await t.send(message('team-a'));
    for (const f of [...r1.files!, ...r2.files!, ...r3.files!]) expect(f.startsWith(`${dir}/`)).toBe(true);
    expect(new Set([r1.id, r2.id, r3.id]).size).toBe(3);
    expect(teamSlug('../../etc/passwd <img src=x>')).toMatch(/^etc-passwd-img-src-x-[0-9a-f]{8}$/);
    expect(teamSlug('team-a')).toBe('team-a');
    expect(teamSlug('')).toMatch(/^team-[0-9a-f]{8}$/);
    expect(fileStamp(new Date('2026-01-02T03:04:05Z'))).toBe('20260102T030405Z');
  });

  it('reports an unwritable folder as a retryable DeliveryError', async () => {
    const file = join(dir, 'not-a-dir');
    await writeFile(file, 'x');
    const t = createOutboxTransport({ dir: file, now });
    const e = await t.send(message('x')).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(DeliveryError);
    expect((e as DeliveryError).retryable).toBe(true);
    expect((await t.verify!()).ok).toBe(false);
  });
});
