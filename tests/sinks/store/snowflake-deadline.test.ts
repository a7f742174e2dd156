// A Snowflake that stops answering never holds a cycle beyond its time limit: every statement is bounded by the
// time left (issue 8, finding 6). No assertion here is about a duration: a statement that outlives its limit shows as
// a test that does not finish within jest's 30 s, where the driver alone would retry for minutes.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import snowflake from 'snowflake-sdk';
import type { AuditConfig } from '../../../config/load.js';
import { openSnowflake } from '../../../connect/snowflake.js';
import { runCycle } from '../../../cycle.js';
import { SnowflakeError, StoreError } from '../../../errors.js';
import { generateDatabricksData } from '../../../sim/databricks-data.js';
import { startDatabricksSimulator } from '../../../sim/databricks.js';
import { startSnowflakeEmulator, type SnowflakeEmulator } from '../../../sim/snowflake/emulator.js';
import { openSnowflakeStore } from '../../../sinks/store/snowflake.js';

let emu: SnowflakeEmulator;
beforeAll(async () => {
  snowflake.configure({ logLevel: 'OFF', useEnvProxy: false }); // tests only: process-wide driver settings
  emu = await startSnowflakeEmulator({ users: { svc: 'pw' } });
});
afterAll(async () => {
  await emu.close();
});

const settings = (schema: string) => ({ account: emu.account, username: 'svc', password: 'pw', accessUrl: emu.accessUrl, loginRetries: 0, database: 'DEV_POWERAPPS', schema });
const TIME_LIMIT = /time limit was reached/;

/** Waits until the emulator holds no statement (the client's cancel arrived); a lost cancel shows as a test timeout. */
async function untilReleased(): Promise<void> {
  while (emu.held > 0) await new Promise((r) => setTimeout(r, 20));
}

async function migrated(schema: string): Promise<void> {
  const store = await openSnowflakeStore(settings(schema), { queryTag: 'pipeline-audit/test migrate' });
  await store.migrate();
  await store.close();
}

describe('Snowflake statements bounded by the cycle time limit', () => {
  it('cancels a statement Snowflake holds without answering once the time is up, and sends none after it', async () => {
    await migrated('HELD');
    // A deadline set once the store is open: the login and the session settings are not what is measured here.
    let deadline: Date | null = null;
    const store = await openSnowflakeStore(settings('HELD'), { queryTag: 'pipeline-audit/test held', deadline: () => deadline });
    try {
      emu.faults.holdStatement(/^SELECT COUNT\(\*\) AS N FROM DEV_POWERAPPS\.HELD\.RUNS/, Infinity);
      deadline = new Date(Date.now() + 1_000);
      const err = await store.countRuns().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreError);
      expect((err as StoreError).message).toMatch(TIME_LIMIT);
      expect((err as StoreError).isRetryable).toBe(true);
      expect((err as StoreError).cause).toBeInstanceOf(SnowflakeError);
      // The held statement was cancelled on the server (Snowflake answers the waiting request with 000604).
      await untilReleased();
      expect(emu.statements.at(-1)).toMatchObject({ ok: false });
      expect(emu.statements.at(-1)!.sqlText).toMatch(/^SELECT COUNT/);
      // Once the time is up nothing more is sent: the next operation fails before it reaches Snowflake.
      const sent = emu.statements.length;
      await expect(store.lastCycle()).rejects.toThrow(TIME_LIMIT);
      expect(emu.statements.length).toBe(sent);
    } finally {
      await store.close();
    }
  });

  it('gives up by the deadline when every statement loses its connection, instead of the driver retrying for minutes', async () => {
    await migrated('DROPPED');
    let deadline: Date | null = null;
    const store = await openSnowflakeStore(settings('DROPPED'), { queryTag: 'pipeline-audit/test dropped', deadline: () => deadline });
    const match = /DEV_POWERAPPS\.DROPPED\./;
    const before = emu.statements.length;
    const stale = emu.staleSessionRequests;
    try {
      emu.faults.dropConnection(match, Infinity);
      deadline = new Date(Date.now() + 1_500);
      const err = await store.lastCycle().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreError);
      expect((err as StoreError).message).toMatch(TIME_LIMIT);
      expect(emu.statements.slice(before).some((s) => match.test(s.sqlText))).toBe(false); // never answered, only retried
    } finally {
      await store.close();
    }
    // The driver still retries the dropped request in the background (its retries are not settable); the next retry
    // is told the session is gone, and that ends it.
    while (emu.staleSessionRequests === stale) await new Promise((r) => setTimeout(r, 50));
  });

  it('refuses to log in when the time is already up, sending nothing', async () => {
    const logins = emu.logins;
    const err = await openSnowflake(settings('X'), { queryTag: 'pipeline-audit/test late', deadline: new Date(Date.now() - 1) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SnowflakeError);
    expect((err as SnowflakeError).message).toMatch(TIME_LIMIT);
    expect(emu.logins).toBe(logins);
  });

  it('stops a held statement when the signal aborts (a collector on the cycle signal)', async () => {
    const abort = new AbortController();
    const s = await openSnowflake(settings('SIG'), { queryTag: 'pipeline-audit/test signal', signal: abort.signal });
    try {
      emu.faults.holdStatement('SELECT 42 AS ANSWER', 1);
      const pending = s.query('SELECT 42 AS ANSWER').catch((e: unknown) => e);
      while (emu.held === 0) await new Promise((r) => setTimeout(r, 20)); // the statement reached Snowflake
      abort.abort(new Error('the cycle time limit'));
      const err = await pending;
      expect(err).toBeInstanceOf(SnowflakeError);
      expect((err as SnowflakeError).message).toMatch(TIME_LIMIT);
      expect((err as SnowflakeError).isRetryable).toBe(true);
      await untilReleased();
      await expect(s.query('SELECT 1')).rejects.toThrow(TIME_LIMIT);
    } finally {
      await s.close();
    }
  });

  it('a cycle whose Snowflake store stops answering reports the store failure and returns', async () => {
    await migrated('CYCLE');
    const now = new Date();
    const sim = await startDatabricksSimulator({ data: generateDatabricksData({ now, seed: 5, jobs: 2, runs: 6, days: 1 }), token: 'tok-deadline-test-000' });
    try {
      // Every MERGE into the store's tables hangs: the runs' write, then whatever the cycle writes after it.
      emu.faults.holdStatement(/^MERGE INTO DEV_POWERAPPS\.CYCLE\./, Infinity);
      const config: AuditConfig = {
        scopes: [{ platform: 'databricks', scope: { host: sim.url, token: 'tok-deadline-test-000' }, scopeId: 'ws', source: 'test' }],
        enabled: ['databricks'],
        notEnabled: [],
        store: { kind: 'snowflake', settings: settings('CYCLE'), spoolDir: null },
        initialLookbackMs: 3_600_000,
        cycleTimeoutMs: 3_000,
        limits: { maxPages: 100, maxDetailRequests: 10 },
        http: { retries: 0 },
        secrets: ['pw'],
        configFile: null,
      };
      const report = await runCycle(config, { model: null, transport: null });
      expect(report.outcome).toBe('failed');
      const failures = [report.store.error ?? '', ...report.scopes.map((s) => s.error ?? '')].join('\n');
      expect(failures).toMatch(TIME_LIMIT);
      expect(report.scopes[0]!.runsInserted).toBe(0);
      await untilReleased();
    } finally {
      await sim.close();
    }
  });
});
