// A process killed at a step boundary of a delivery (SIGKILL: no cleanup runs) neither loses nor repeats news
// beyond what the Message-ID dedupes. The first delivery runs in a child process whose onStep prints a marker and
// blocks; the test kills it on the marker, then the next run (in this process) finishes the job.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { simpleParser } from 'mailparser';
import { deliverPlan } from '../deliver.js';
import { createSmtpTransport } from '../sinks/mail/smtp.js';
import type { MailTransport } from '../sinks/mail/types.js';
import { openDuckDbStore } from '../sinks/store/duckdb.js';
import { FROM, SMTP_PASSWORD, SMTP_USER, hours, incident, planNow } from './helpers/deliver-fixtures.js';
import { startSmtpPeer, type SmtpPeer } from './sinks/mail/smtp-peer.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TSX = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
const CHILD = join(ROOT, 'tests/helpers/deliver-child.ts');
const FP = 'databricks|ws-1|job-1|failed';

const dir = mkdtempSync(join(tmpdir(), 'pa-deliver-kill-'));
let peer: SmtpPeer;
let smtp: MailTransport;

beforeAll(async () => {
  peer = await startSmtpPeer({ starttls: false });
  smtp = createSmtpTransport({ host: '127.0.0.1', port: peer.port, requireTLS: false, user: SMTP_USER, password: SMTP_PASSWORD });
});
afterAll(async () => {
  await smtp.close();
  await peer.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  peer.received.length = 0;
});

/** Runs the child until it reports reaching `step`, then SIGKILLs it; rejects if it ends any other way. */
function runAndKillAt(path: string, step: 'claimed' | 'sent'): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', TSX, CHILD, path, String(peer.port), step], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: dir, NO_PROXY: '127.0.0.1,localhost' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let killed = false;
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      if (!killed && stdout.includes(`STOPPED AT ${step}\n`)) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', fail);
    child.on('close', (code, signal) => {
      if (killed && signal === 'SIGKILL') done();
      else fail(new Error(`the child ended with code ${code} signal ${signal} before reaching ${step}:\n${stdout}\n${stderr}`));
    });
  });
}

async function migrated(name: string): Promise<string> {
  const path = join(dir, name);
  const s = await openDuckDbStore(path);
  await s.migrate();
  await s.close(); // the child needs the file: DuckDB lets one process write it
  return path;
}

describe('a delivery killed at a step boundary', () => {
  it('killed after the claim, before the send: the next cycle sends it, exactly one message in total', async () => {
    const path = await migrated('after-claim.duckdb');
    await runAndKillAt(path, 'claimed');
    expect(peer.received).toHaveLength(0);
    const store = await openDuckDbStore(path);
    try {
      const [pending] = await store.readPendingDeliveries();
      expect(pending).toMatchObject({ team: 'data-eng', cycleId: 'cycle-killed', status: 'sending' });
      expect(await store.readLedger()).toEqual({});
      // The next cycle: the ledger still says nothing was told, so the plan carries the same news.
      const plan = await planNow(store, [incident()], hours(1.25), 'cycle-next');
      const out = await deliverPlan(plan, null, { store, transport: smtp, now: () => hours(1.25), cycleId: 'cycle-next', from: FROM });
      expect(out).toEqual([{ team: 'data-eng', status: 'sent', transport: 'smtp', reason: null }]);
      expect(peer.received).toHaveLength(1);
      expect((await simpleParser(peer.received[0]!.raw)).messageId).toBe(pending!.messageId);
      expect(await store.readPendingDeliveries()).toEqual([]);
      expect((await store.readLedger('data-eng'))[FP]?.lastState).toBe('open');
      expect((await planNow(store, [incident()], hours(1.5), 'cycle-after')).teams).toEqual([]);
    } finally {
      await store.close();
    }
  }, 60_000);

  it('killed after the send, before the confirmation: resent under the same Message-ID, then confirmed', async () => {
    const path = await migrated('after-send.duckdb');
    await runAndKillAt(path, 'sent');
    expect(peer.received).toHaveLength(1);
    const store = await openDuckDbStore(path);
    try {
      expect(await store.readLedger()).toEqual({});
      const plan = await planNow(store, [incident()], hours(1.25), 'cycle-next');
      const out = await deliverPlan(plan, null, { store, transport: smtp, now: () => hours(1.25), cycleId: 'cycle-next', from: FROM });
      expect(out.map((o) => o.status)).toEqual(['sent']);
      const mails = await Promise.all(peer.received.map((r) => simpleParser(r.raw)));
      expect(mails).toHaveLength(2);
      // The one duplicate the transport cannot avoid carries the same Message-ID, so the receiver drops it.
      expect(mails[1]!.messageId).toBe(mails[0]!.messageId);
      expect(mails[1]!.subject).toBe(mails[0]!.subject);
      expect(await store.readPendingDeliveries()).toEqual([]);
      expect((await store.readLedger('data-eng'))[FP]).toMatchObject({ lastState: 'open', at: hours(1.25) });
      // And after the confirmation the planner has nothing more to tell.
      expect((await planNow(store, [incident()], hours(1.5), 'cycle-after')).teams).toEqual([]);
    } finally {
      await store.close();
    }
  }, 60_000);
});
