// The delivery step against a real SMTP server on 127.0.0.1 (read back with mailparser) and a real DuckDB store:
// claim → send → confirm, failures retried by the next plan, re-runs that send nothing, routing per team, recovery,
// reminders, and the daily all-clear across DST changes.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { simpleParser, type ParsedMail } from 'mailparser';
import { contentHash, deliverPlan, localDateHour, messageIdFor, type AllClearTeam, type DeliverDeps } from '../deliver.js';
import type { NotificationPlan, PlannedNotice } from '../normalize/incident.js';
import { createOutboxTransport } from '../sinks/mail/outbox.js';
import { createSmtpTransport } from '../sinks/mail/smtp.js';
import type { MailTransport } from '../sinks/mail/types.js';
import { openDuckDbStore, type DuckDbStore } from '../sinks/store/duckdb.js';
import { FROM, SMTP_PASSWORD, SMTP_USER, airbyteIncident, hours, incident, planNow } from './helpers/deliver-fixtures.js';
import { startSmtpPeer, type SmtpPeer } from './sinks/mail/smtp-peer.js';

const dir = mkdtempSync(join(tmpdir(), 'pa-deliver-'));
let peer: SmtpPeer;
let smtp: MailTransport;
let n = 0;

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

async function freshStore(): Promise<DuckDbStore> {
  const store = await openDuckDbStore(join(dir, `d-${n++}.duckdb`));
  await store.migrate();
  return store;
}

const received = (): Promise<ParsedMail[]> => Promise.all(peer.received.map((r) => simpleParser(r.raw)));

const deps = (store: DuckDbStore | null, now: Date, cycleId: string, over: Partial<DeliverDeps> = {}): DeliverDeps => ({
  store,
  transport: smtp,
  now: () => now,
  cycleId,
  from: FROM,
  ...over,
});

const FP = 'databricks|ws-1|job-1|failed';

describe('deliverPlan over SMTP with the DuckDB ledger', () => {
  it('a failed delivery (SMTP 451) is retried by the next cycle and sent once; a re-run sends nothing', async () => {
    const store = await freshStore();
    try {
      const plan1 = await planNow(store, [incident()], hours(1), 'c1');
      expect(plan1.teams.map((t) => t.team)).toEqual(['data-eng']);
      peer.rejectNextData(451, 'Try again later');
      const out1 = await deliverPlan(plan1, null, deps(store, hours(1), 'c1'));
      expect(out1).toEqual([{ team: 'data-eng', status: 'failed', transport: 'smtp', reason: expect.stringMatching(/451/) }]);
      expect(peer.received).toHaveLength(0);
      expect(await store.readLedger()).toEqual({});
      expect(await store.readPendingDeliveries()).toEqual([]);

      // The ledger did not move, so the next cycle plans the same news and sends it.
      const plan2 = await planNow(store, [incident()], hours(1.25), 'c2');
      expect(plan2.teams[0]?.notices.map((x) => x.reason)).toEqual(['new']);
      const out2 = await deliverPlan(plan2, null, deps(store, hours(1.25), 'c2'));
      expect(out2).toEqual([{ team: 'data-eng', status: 'sent', transport: 'smtp', reason: null }]);
      const [mail, ...more] = await received();
      expect(more).toHaveLength(0);
      expect(mail!.messageId).toMatch(/^<[0-9a-f]{32}@pipeline-audit>$/);
      expect(mail!.subject).toBe('[pipeline-audit] 1 warning, 1 new');
      expect(peer.received[0]!.rcpt.sort()).toEqual(['de@contoso.example', 'lead@contoso.example']);
      expect(mail!.text).toContain('nightly_orders');
      expect(mail!.html).not.toContain('<img src=x');
      expect((await store.readLedger('data-eng'))[FP]).toEqual({ lastState: 'open', at: hours(1.25), severity: 'warning', errorClass: 'OOM', team: 'data-eng' });

      // A re-run of the cycle: the planner has nothing to tell, and the stale plan is refused by the ledger.
      expect((await planNow(store, [incident()], hours(1.25), 'c2')).teams).toEqual([]);
      expect(await deliverPlan(plan2, null, deps(store, hours(1.25), 'c2'))).toEqual([{ team: 'data-eng', status: 'skipped', transport: 'smtp', reason: 'already sent' }]);
      expect(peer.received).toHaveLength(1);
    } finally {
      await store.close();
    }
  });

  it('two teams get two digests, each with its own recipients and its own ledger entries', async () => {
    const store = await freshStore();
    try {
      const plan = await planNow(store, [incident(), airbyteIncident()], hours(1), 'c1');
      const out = await deliverPlan(plan, null, deps(store, hours(1), 'c1'));
      expect(out.map((o) => [o.team, o.status])).toEqual([
        ['data-eng', 'sent'],
        ['ops', 'sent'],
      ]);
      const mails = await received();
      expect(mails).toHaveLength(2);
      const byTo = new Map(mails.map((m, i) => [(m.to as { text: string }).text, { m, rcpt: peer.received[i]!.rcpt }]));
      expect(byTo.get('de@contoso.example')!.m.text).toContain('nightly_orders');
      expect(byTo.get('de@contoso.example')!.m.text).not.toContain('orders_sync');
      expect(byTo.get('ops@contoso.example')!.m.text).toContain('orders_sync');
      expect(byTo.get('ops@contoso.example')!.rcpt).toEqual(['ops@contoso.example']);
      expect(mails[0]!.messageId).not.toBe(mails[1]!.messageId);
      expect(Object.keys(await store.readLedger('data-eng'))).toEqual([FP]);
      expect(Object.keys(await store.readLedger('ops'))).toEqual(['airbyte|w-1|conn-1|failed']);
    } finally {
      await store.close();
    }
  });

  it('a recovery reaches the team that was told of the failure, once', async () => {
    const store = await freshStore();
    try {
      await deliverPlan(await planNow(store, [incident()], hours(1), 'c1'), null, deps(store, hours(1), 'c1'));
      const resolved = incident({ state: 'resolved', resolvedAt: hours(2), updatedAt: hours(2) });
      const plan = await planNow(store, [resolved], hours(2), 'c2', [resolved.id]);
      expect(plan.teams.map((t) => [t.team, t.notices.map((x) => x.reason)])).toEqual([['data-eng', ['recovered']]]);
      expect(await deliverPlan(plan, null, deps(store, hours(2), 'c2'))).toEqual([{ team: 'data-eng', status: 'sent', transport: 'smtp', reason: null }]);
      const [, recovery] = await received();
      expect(recovery!.subject).toBe('[pipeline-audit] 1 recovered');
      expect(recovery!.text).toContain('Recovered');
      expect(peer.received[1]!.rcpt.sort()).toEqual(['de@contoso.example', 'lead@contoso.example']);
      expect((await store.readLedger('data-eng'))[FP]?.lastState).toBe('resolved');
      expect((await planNow(store, [resolved], hours(2.25), 'c3')).teams).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('a reminder goes out after 24 h, not before, under a new Message-ID', async () => {
    const store = await freshStore();
    try {
      await deliverPlan(await planNow(store, [incident()], hours(1), 'c1'), null, deps(store, hours(1), 'c1'));
      expect((await planNow(store, [incident()], hours(12), 'c2')).teams).toEqual([]);
      const plan = await planNow(store, [incident({ streak: 40 })], hours(25), 'c3');
      expect(plan.teams[0]?.notices.map((x) => x.reason)).toEqual(['reminder']);
      expect((await deliverPlan(plan, null, deps(store, hours(25), 'c3')))[0]?.status).toBe('sent');
      const [first, reminder] = await received();
      expect(reminder!.subject).toBe('[pipeline-audit] 1 warning, 1 still failing');
      expect(reminder!.messageId).not.toBe(first!.messageId);
      expect((await store.readLedger('data-eng'))[FP]?.at).toEqual(hours(25));
      expect((await planNow(store, [incident()], hours(26), 'c4')).teams).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('a message left `sending` with the same news is resent under its Message-ID; one with other news is superseded', async () => {
    const store = await freshStore();
    try {
      const plan = await planNow(store, [incident()], hours(1), 'c1');
      const team = plan.teams[0]!;
      const same = messageIdFor('data-eng', 'c0', contentHash(team));
      await store.claimDelivery({ team: 'data-eng', cycleId: 'c0', messageId: same, contentHash: contentHash(team), claimedAt: hours(0.75) });
      await store.claimDelivery({ team: 'data-eng', cycleId: 'c0', messageId: '<older@pipeline-audit>', contentHash: 'other-news', claimedAt: hours(0.5) });
      await deliverPlan(plan, null, deps(store, hours(1), 'c1'));
      const [mail] = await received();
      expect(mail!.messageId).toBe(same);
      expect(await store.readPendingDeliveries()).toEqual([]);
      expect(peer.received).toHaveLength(1);
    } finally {
      await store.close();
    }
  });

  it('without a store it still sends, and says the ledger could not be kept', async () => {
    const plan: NotificationPlan = { cycleId: 'c1', at: hours(1), teams: [{ team: 'data-eng', email: ['de@contoso.example'], cc: [], timezone: null, notices: [{ reason: 'new', incident: incident() }] }] };
    const a = await deliverPlan(plan, null, deps(null, hours(1), 'c1'));
    const b = await deliverPlan(plan, null, deps(null, hours(1), 'c1'));
    expect(a).toEqual([{ team: 'data-eng', status: 'sent', transport: 'smtp', reason: expect.stringMatching(/without the ledger.*a re-run may send it again/) }]);
    expect(b[0]?.status).toBe('sent');
    const [m1, m2] = await received();
    expect(m1!.messageId).toBe(m2!.messageId);
  });

  it('a dry run writes to the outbox and leaves the ledger alone', async () => {
    const store = await freshStore();
    const outbox = join(dir, `outbox-${n++}`);
    try {
      const plan = await planNow(store, [incident()], hours(1), 'c1');
      const transport = createOutboxTransport({ dir: outbox, now: () => hours(1) });
      const out = await deliverPlan(plan, null, deps(store, hours(1), 'c1', { transport, dryRun: true }));
      expect(out).toEqual([{ team: 'data-eng', status: 'sent', transport: 'outbox', reason: expect.stringMatching(/dry run/), files: [join(outbox, '20260320T110000Z-data-eng.eml'), join(outbox, '20260320T110000Z-data-eng.html')] }]);
      expect(readdirSync(outbox).sort()).toEqual(['20260320T110000Z-data-eng.eml', '20260320T110000Z-data-eng.html']);
      expect(await store.readLedger()).toEqual({});
      expect(await store.readPendingDeliveries()).toEqual([]);
      expect(peer.received).toHaveLength(0);
    } finally {
      await store.close();
    }
  });
});

describe('the daily all-clear', () => {
  const team = (hour: number): AllClearTeam => ({ name: 'data-eng', email: ['de@contoso.example'], cc: [], timezone: 'Europe/Berlin', hour });
  const empty = (at: Date): NotificationPlan => ({ cycleId: `c-${at.toISOString()}`, at, teams: [] });

  /** Runs one cycle with an empty plan at each instant; returns the instants at which an all-clear went out. */
  async function sentAt(store: DuckDbStore, hour: number, instants: string[]): Promise<string[]> {
    const out: string[] = [];
    for (const iso of instants) {
      const at = new Date(iso);
      const before = peer.received.length;
      const outcomes = await deliverPlan(empty(at), null, deps(store, at, `c-${iso}`, { allClear: { teams: [team(hour)] } }));
      if (peer.received.length > before) {
        out.push(iso);
        expect(outcomes).toEqual([{ team: 'data-eng', status: 'sent', transport: 'smtp', reason: expect.stringMatching(/^all clear for \d{4}-\d\d-\d\d$/) }]);
      } else expect(outcomes).toEqual([]);
    }
    return out;
  }

  it('goes out once per Berlin date from the local hour, across the March DST change', async () => {
    const store = await freshStore();
    try {
      const got = await sentAt(store, 8, [
        '2026-03-28T06:30:00Z', // 07:30 CET: too early
        '2026-03-28T07:00:00Z', // 08:00 CET: sent
        '2026-03-28T22:00:00Z', // 23:00 CET: same date
        '2026-03-28T23:30:00Z', // 00:30 on the 29th: too early
        '2026-03-29T05:59:00Z', // 07:59 CEST (clocks went forward at 01:00 UTC)
        '2026-03-29T06:00:00Z', // 08:00 CEST: sent
        '2026-03-29T07:00:00Z',
      ]);
      expect(got).toEqual(['2026-03-28T07:00:00Z', '2026-03-29T06:00:00Z']);
      const mails = await received();
      expect(mails.map((m) => m.subject)).toEqual(['[pipeline-audit] all clear', '[pipeline-audit] all clear']);
      expect(mails[0]!.messageId).not.toBe(mails[1]!.messageId);
    } finally {
      await store.close();
    }
  });

  it('is not sent twice when the October change repeats the local hour, nor when the team has news', async () => {
    const store = await freshStore();
    try {
      const got = await sentAt(store, 2, [
        '2026-10-24T23:59:00Z', // 01:59 CEST on the 25th
        '2026-10-25T00:00:00Z', // 02:00 CEST: sent
        '2026-10-25T01:00:00Z', // 02:00 CET, the same local hour again: not resent
        '2026-10-25T01:30:00Z',
        '2026-10-26T01:00:00Z', // 02:00 CET on the 26th: sent
      ]);
      expect(got).toEqual(['2026-10-25T00:00:00Z', '2026-10-26T01:00:00Z']);
      // A team with news gets its digest, not an all-clear.
      const at = new Date('2026-10-27T12:00:00Z');
      const plan = await planNow(store, [incident({ openedAt: at })], at, 'c-news');
      const out = await deliverPlan(plan, null, deps(store, at, 'c-news', { allClear: { teams: [team(2)] } }));
      expect(out).toEqual([{ team: 'data-eng', status: 'sent', transport: 'smtp', reason: null }]);
      expect((await received()).at(-1)!.subject).toBe('[pipeline-audit] 1 warning, 1 new');
    } finally {
      await store.close();
    }
  });

  it('waits without a ledger (it could not be kept to once a day)', async () => {
    const at = new Date('2026-03-28T12:00:00Z');
    expect(await deliverPlan(empty(at), null, deps(null, at, 'c', { allClear: { teams: [team(8)] } }))).toEqual([]);
    expect(peer.received).toHaveLength(0);
  });

  it('local date and hour follow the zone, DST included; an unknown zone is UTC', () => {
    expect(localDateHour(new Date('2026-03-29T00:59:00Z'), 'Europe/Berlin')).toEqual({ date: '2026-03-29', hour: 1 });
    expect(localDateHour(new Date('2026-03-29T01:00:00Z'), 'Europe/Berlin')).toEqual({ date: '2026-03-29', hour: 3 });
    expect(localDateHour(new Date('2026-10-25T00:30:00Z'), 'Europe/Berlin')).toEqual({ date: '2026-10-25', hour: 2 });
    expect(localDateHour(new Date('2026-10-25T01:30:00Z'), 'Europe/Berlin')).toEqual({ date: '2026-10-25', hour: 2 });
    expect(localDateHour(new Date('2026-10-25T23:30:00Z'), 'Not/AZone')).toEqual({ date: '2026-10-25', hour: 23 });
    expect(localDateHour(new Date('2026-10-25T23:30:00Z'), null)).toEqual({ date: '2026-10-25', hour: 23 });
  });
});

describe('the Message-ID', () => {
  it('depends on the news, not on the order of notices or the rendering', () => {
    const a: PlannedNotice = { reason: 'new', incident: incident() };
    const b: PlannedNotice = { reason: 'new', incident: airbyteIncident({ team: 'data-eng' }) };
    const team = (notices: PlannedNotice[]) => ({ team: 'data-eng', email: ['x@y.z'], cc: [], timezone: null, notices });
    expect(contentHash(team([a, b]))).toBe(contentHash(team([b, a])));
    expect(contentHash(team([a]))).toBe(contentHash(team([{ reason: 'new', incident: incident({ streak: 7, errorText: 'other text' }) }])));
    expect(contentHash(team([a]))).not.toBe(contentHash(team([{ reason: 'reminder', incident: incident() }])));
    expect(contentHash(team([a]))).not.toBe(contentHash(team([{ reason: 'new', incident: incident({ severity: 'critical' }) }])));
    expect(messageIdFor('data-eng', 'c1', 'h')).toMatch(/^<[0-9a-f]{32}@pipeline-audit>$/);
    expect(messageIdFor('data-eng', 'c1', 'h')).not.toBe(messageIdFor('ops', 'c1', 'h'));
  });
});
