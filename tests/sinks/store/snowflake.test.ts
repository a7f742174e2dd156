// The Snowflake store with the real snowflake-sdk against the local emulator: the same contract as DuckDB, plus
// what only a warehouse shows (statement counts, a behind schema, a refused login, the query tag).
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import snowflake from 'snowflake-sdk';
import { SchemaVersionError, StoreError } from '../../../errors.js';
import { startSnowflakeEmulator, type SnowflakeEmulator } from '../../../sim/snowflake/emulator.js';
import { openSnowflakeStore } from '../../../sinks/store/snowflake.js';
import { LATEST_VERSION } from '../../../sinks/store/tables.js';
import { describeStoreContract } from './contract.js';
import { incident } from './contract-assess.js';
import { makeJob, makeRun } from '../../helpers/run-fixtures.js';

let emu: SnowflakeEmulator;
let n = 0;
beforeAll(async () => {
  snowflake.configure({ logLevel: 'OFF', useEnvProxy: false }); // tests only: process-wide driver settings
  emu = await startSnowflakeEmulator({ users: { svc: 'pw' } });
});
afterAll(async () => {
  await emu.close();
});

const settings = (schema: string) => ({ account: emu.account, username: 'svc', password: 'pw', accessUrl: emu.accessUrl, loginRetries: 0, database: 'DEV_POWERAPPS', schema });

describeStoreContract('Snowflake (emulator)', async ({ migrate }) => {
  const store = await openSnowflakeStore(settings(`AUDIT_${n++}`), { queryTag: 'pipeline-audit/test contract' });
  if (migrate) await store.migrate();
  return { store, cleanup: () => store.close() };
});

describe('Snowflake store specifics', () => {
  // Volume (100,000 rows) is the benchmark's (bench/store.ts); here a small batch in small chunks proves the shape.
  it('merges a batch with a statement count set by the chunks, not the rows, every statement tagged', async () => {
    const store = await openSnowflakeStore(settings('BIG'), { queryTag: 'pipeline-audit/test big', chunkRows: 50 });
    try {
      await store.migrate();
      const before = emu.statements.length;
      const runs = Array.from({ length: 200 }, (_, i) => makeRun({ runId: `r${i}` }));
      expect(await store.upsertRuns(runs)).toMatchObject({ inserted: 200, quarantined: 0 });
      const used = emu.statements.slice(before);
      // CREATE staging (the session's first upsert), BEGIN, 4 chunk INSERTs, counts, history, MERGE, COMMIT
      expect(used.length).toBe(2 + 200 / 50 + 4);
      expect(used.every((s) => s.queryTag === 'pipeline-audit/test big')).toBe(true);
      expect(await store.countRuns()).toBe(200);
      // The next upsert reuses the staging table: its first INSERT overwrites what the last one left there.
      const next = emu.statements.length;
      expect(await store.upsertRuns(runs.slice(0, 30).map((r) => ({ ...r, runId: `n${r.runId}` })))).toMatchObject({ inserted: 30, updated: 0, unchanged: 0 });
      expect(emu.statements.slice(next).map((s) => s.sqlText.split(' ').slice(0, 2).join(' '))).toEqual(['BEGIN', 'INSERT OVERWRITE', 'SELECT SUM(CASE', 'INSERT INTO', 'MERGE INTO', 'COMMIT']);
      expect(await store.countRuns()).toBe(230);
      const none = emu.statements.length;
      expect(await store.upsertRuns([])).toMatchObject({ inserted: 0, updated: 0, unchanged: 0 });
      expect(await store.upsertJobs([])).toMatchObject({ inserted: 0, updated: 0 });
      expect(emu.statements.length).toBe(none);
    } finally {
      await store.close();
    }
  });

  it("reads every assessment input in one statement, and confirms a delivery without reading the claim first", async () => {
    const store = await openSnowflakeStore(settings('INPUTS'), { queryTag: 'pipeline-audit/test inputs' });
    try {
      await store.migrate();
      await store.upsertRuns(Array.from({ length: 12 }, (_, i) => makeRun({ jobId: `job-${i % 3}`, runId: `r${i}` })));
      await store.upsertJobs([makeJob()]);
      await store.writeIncidents([incident()], []);
      let before = emu.statements.length;
      const opts = { now: new Date('2026-11-24T00:00:00Z'), finals: 5, successes: 5, cycleId: 'cycle-1' };
      const inputs = await store.readAssessmentInputs([{ platform: 'databricks', scope: 'ws-1' }], opts);
      expect(emu.statements.slice(before).map((s) => [s.sqlText.split(' ')[0], s.ok])).toEqual([['WITH', true]]);
      expect(inputs.snapshot.jobs.map((j) => j.finals.length)).toEqual([4, 4, 4]);
      expect(inputs.open.map((i) => i.id)).toEqual(['inc_1']);

      await store.claimDelivery({ team: 'data-eng', cycleId: 'c1', messageId: '<m>', contentHash: 'h', claimedAt: opts.now });
      before = emu.statements.length;
      await store.confirmDelivery({ messageId: '<m>', team: 'data-eng', transportId: null, response: null, sentAt: opts.now, notices: [{ fingerprint: 'f', state: 'open', severity: 'warning', errorClass: null }] });
      expect(emu.statements.slice(before).map((s) => s.sqlText.split(' ')[0])).toEqual(['BEGIN', 'UPDATE', 'MERGE', 'COMMIT']);
      before = emu.statements.length;
      await store.confirmDelivery({ messageId: '<m>', team: 'data-eng', transportId: null, response: null, sentAt: opts.now, notices: [] });
      expect(emu.statements.slice(before).map((s) => s.sqlText.split(' ')[0])).toEqual(['UPDATE']);
    } finally {
      await store.close();
    }
  });

  it('begins a cycle in two statements; a schema behind or ahead fails it with nothing written', async () => {
    const store = await openSnowflakeStore(settings('BEGINCYCLE'), { queryTag: 'pipeline-audit/test begin' });
    const lease = () => emu.sql('SELECT holder FROM DEV_POWERAPPS.BEGINCYCLE.LEASE');
    try {
      await store.migrate();
      const before = emu.statements.length;
      expect(await store.beginCycle('cycle-a', 60_000, new Date('2026-11-24T00:00:00Z'))).toBe(true);
      expect(emu.statements.slice(before).map((s) => [s.sqlText.split(' ')[0], s.ok])).toEqual([['MERGE', true], ['SELECT', true]]);
      // cycle-a's lease has expired by 01:00: another holder would take it, but not at another schema version.
      for (const version of [LATEST_VERSION - 1, LATEST_VERSION + 1]) {
        await emu.sql(`UPDATE DEV_POWERAPPS.BEGINCYCLE.SCHEMA_VERSION SET version = ${version} WHERE version = (SELECT MAX(version) FROM DEV_POWERAPPS.BEGINCYCLE.SCHEMA_VERSION)`);
        const err = await store.beginCycle('cycle-b', 60_000, new Date('2026-11-24T01:00:00Z')).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(SchemaVersionError);
        expect(err).toMatchObject({ found: version, expected: LATEST_VERSION });
        expect(await lease()).toEqual([{ holder: 'cycle-a' }]);
        await emu.sql(`UPDATE DEV_POWERAPPS.BEGINCYCLE.SCHEMA_VERSION SET version = ${LATEST_VERSION} WHERE version = ${version}`);
      }
      // Never migrated (no tables at all): the same error, naming version 0.
      const fresh = await openSnowflakeStore(settings('NEVER'), { queryTag: 'pipeline-audit/test never' });
      try {
        await expect(fresh.beginCycle('cycle-c', 60_000, new Date())).rejects.toMatchObject({ found: 0 });
      } finally {
        await fresh.close();
      }
    } finally {
      await store.close();
    }
  });

  it('reads the assessment snapshot in two statements and writes a cycle of incidents in one transaction', async () => {
    const store = await openSnowflakeStore(settings('ASSESS'), { queryTag: 'pipeline-audit/test assess' });
    try {
      await store.migrate();
      await store.upsertRuns(Array.from({ length: 40 }, (_, i) => makeRun({ jobId: `job-${i % 4}`, runId: `r${i}` })));
      await store.upsertJobs([makeJob()]);
      let before = emu.statements.length;
      const snap = await store.readAssessmentSnapshot([{ platform: 'databricks', scope: 'ws-1' }], { now: new Date('2026-11-24T00:00:00Z'), finals: 5, successes: 5, cycleId: 'cycle-1' });
      expect(snap.jobs.map((j) => j.finals.length)).toEqual([5, 5, 5, 5]);
      expect(emu.statements.slice(before).map((s) => s.ok)).toEqual([true, true]);
      before = emu.statements.length;
      const incidents = Array.from({ length: 150 }, (_, i) => incident({ id: `inc_${i}`, fingerprint: `databricks|ws-1|job-${i}|failed` }));
      await store.writeIncidents(incidents, incidents.map((x) => ({ incidentId: x.id, cycleId: 'c1', at: x.openedAt, type: 'opened' as const, severity: x.severity, streak: 1, errorClass: null, note: null })));
      // BEGIN, incidents in two MERGEs (100 rows a source), events in two, COMMIT
      expect(emu.statements.slice(before).map((s) => s.sqlText.split(' ')[0])).toEqual(['BEGIN', 'MERGE', 'MERGE', 'MERGE', 'MERGE', 'COMMIT']);
      expect(await store.readOpenIncidents()).toHaveLength(150);
    } finally {
      await store.close();
    }
  });

  it('merges jobs in one statement, reads the scopes\' coverage queued together in one, writes coverage in one', async () => {
    const store = await openSnowflakeStore(settings('FEW'), { queryTag: 'pipeline-audit/test few' });
    try {
      await store.migrate();
      await store.upsertJobs([makeJob({ jobId: 'j0' })]);
      let before = emu.statements.length;
      expect(await store.upsertJobs([makeJob({ jobId: 'j0', paused: true }), makeJob({ jobId: 'j1' })])).toMatchObject({ inserted: 1, updated: 1 });
      expect(emu.statements.slice(before).map((s) => s.sqlText.split(' ').slice(0, 2).join(' '))).toEqual(['INSERT OVERWRITE', 'MERGE INTO']);
      const at = (m: number) => new Date(Date.UTC(2026, 10, 24, 0, m));
      await store.recordCoverage({ platform: 'databricks', scope: 'a', coveredUntil: at(1), cycleId: 'c1', updatedAt: at(1) });
      before = emu.statements.length;
      await store.recordCoverage({ platform: 'databricks', scope: 'a', coveredUntil: at(2), cycleId: 'c2', updatedAt: at(2) });
      expect(emu.statements.length - before).toBe(1);
      before = emu.statements.length;
      const [a, b] = await Promise.all([store.getCoverage('databricks', 'a'), store.getCoverage('airbyte', 'b')]);
      expect(emu.statements.length - before).toBe(1);
      expect(a?.coveredUntil.toISOString()).toBe(at(2).toISOString());
      expect(b).toBeNull();
      // A read queued after a write never joins a batch queued before it: it sees the write.
      const a2 = store.getCoverage('databricks', 'a');
      const write = store.recordCoverage({ platform: 'airbyte', scope: 'b', coveredUntil: at(3), cycleId: 'c3', updatedAt: at(3) });
      const b2 = store.getCoverage('airbyte', 'b');
      await write;
      expect((await a2)?.cycleId).toBe('c2');
      expect((await b2)?.cycleId).toBe('c3');
    } finally {
      await store.close();
    }
  });

  it('creates its staging tables outside the transaction, qualified, for a user with no default namespace', async () => {
    // FRESH does not exist when the session logs in, so the session has no current database (as for a user without
    // DEFAULT_NAMESPACE): an unqualified temporary table would be refused with 090105.
    const store = await openSnowflakeStore({ ...settings('AUDIT'), database: 'FRESH' }, { queryTag: 'pipeline-audit/test fresh' });
    try {
      await store.migrate();
      const before = emu.statements.length;
      expect(await store.upsertRuns([makeRun({ runId: 'a' })])).toMatchObject({ inserted: 1, quarantined: 0 });
      expect(await store.upsertJobs([])).toMatchObject({ inserted: 0 });
      const used = emu.statements.slice(before).map((x) => x.sqlText.split(' (')[0]!);
      expect(used.slice(0, 2)).toEqual(['CREATE OR REPLACE TEMPORARY TABLE FRESH.AUDIT.PA_STAGE_RUNS', 'BEGIN']);
      expect(emu.statements.slice(before).every((x) => x.ok)).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('upgrades a version-1 schema in place', async () => {
    const store = await openSnowflakeStore(settings('UPGRADE'), { queryTag: 'pipeline-audit/test upgrade' });
    try {
      await store.migrate();
      await store.upsertJobs([makeJob()]);
      for (const t of ['INCIDENTS', 'INCIDENT_EVENTS', 'SILENCES', 'NOTIFICATION_LEDGER', 'DELIVERIES', 'NARRATIVES']) await emu.sql(`DROP TABLE DEV_POWERAPPS.UPGRADE.${t}`);
      for (const c of ['prev_paused', 'prev_state', 'state_cycle_id']) await emu.sql(`ALTER TABLE DEV_POWERAPPS.UPGRADE.JOBS DROP COLUMN ${c}`);
      await emu.sql('DELETE FROM DEV_POWERAPPS.UPGRADE.SCHEMA_VERSION WHERE version > 1');
      await expect(store.checkSchema()).rejects.toBeInstanceOf(SchemaVersionError);
      await store.migrate();
      expect(await store.checkSchema()).toBe(LATEST_VERSION);
      expect((await store.readJobs()).map((j) => j.jobId)).toEqual(['job-1']);
      expect(await store.readSilences(new Date())).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('keeps its array binds inline when the server sends a low stage-binding threshold at login', async () => {
    const low = await startSnowflakeEmulator({ users: { svc: 'pw' }, arrayBindingThreshold: 1_000 });
    const store = await openSnowflakeStore({ ...settings('LOWTHRESHOLD'), accessUrl: low.accessUrl, account: low.account }, { queryTag: 'pipeline-audit/test threshold' });
    try {
      await store.migrate();
      // 100 rows × 31 columns = 3,100 values per INSERT: above the server's 1,000, under the connection's own threshold.
      expect(await store.upsertRuns(Array.from({ length: 100 }, (_, i) => makeRun({ runId: `r${i}` })))).toMatchObject({ inserted: 100 });
      expect(low.statements.filter((x) => /TEMPORARY STAGE|SYSTEM\$BIND|^\s*PUT\b/i.test(x.sqlText))).toEqual([]);
      expect(low.statements.some((x) => x.bindRows === 100)).toBe(true);
    } finally {
      await store.close();
      await low.close();
    }
  });

  it('says the schema is behind when its version row is older, and names init', async () => {
    const store = await openSnowflakeStore(settings('BEHIND'), { queryTag: 'pipeline-audit/test behind' });
    try {
      await store.migrate();
      await emu.sql('UPDATE DEV_POWERAPPS.BEHIND.SCHEMA_VERSION SET version = 0');
      const err = await store.checkSchema().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SchemaVersionError);
      expect(String((err as Error).message)).toMatch(/pipeline-audit init/);
    } finally {
      await store.close();
    }
  });

  it('logs in with a key pair, plain or encrypted with a passphrase (SNOWFLAKE_JWT)', async () => {
    const plain = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    const enc = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'key-passphrase-1' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const { password: _pw, ...noPassword } = settings('KEYS');
    for (const key of [{ privateKey: plain.privateKey }, { privateKey: enc.privateKey, privateKeyPassphrase: 'key-passphrase-1' }]) {
      const logins = emu.logins;
      const store = await openSnowflakeStore({ ...noPassword, ...key }, { queryTag: 'pipeline-audit/test keypair' });
      await store.migrate();
      expect(await store.checkSchema()).toBe(LATEST_VERSION);
      await store.close();
      expect(emu.logins).toBe(logins + 1);
    }
  });

  it('fails a refused login with a StoreError, quickly', async () => {
    emu.faults.refuseLogin();
    await expect(openSnowflakeStore(settings('X'), { queryTag: 'pipeline-audit/test login' })).rejects.toBeInstanceOf(StoreError);
  });

  it('recovers everything after a MERGE failed mid-cycle: nothing lost, nothing duplicated', async () => {
    const store = await openSnowflakeStore(settings('RECOVER'), { queryTag: 'pipeline-audit/test recover' });
    try {
      await store.migrate();
      const runs = Array.from({ length: 50 }, (_, i) => makeRun({ runId: `r${i}` }));
      emu.faults.failStatement(/^MERGE INTO DEV_POWERAPPS\.RECOVER\.RUNS/, { code: '000630', message: 'Statement reached its statement or warehouse timeout', sqlState: '57014' });
      await expect(store.upsertRuns(runs)).rejects.toBeInstanceOf(StoreError);
      expect(await store.countRuns()).toBe(0);
      // The history INSERT ran before the MERGE: the ROLLBACK must undo it (no DDL inside the transaction commits it).
      expect(await store.readStatusHistory('databricks', 'ws-1', 'r0')).toEqual([]);
      expect(await store.upsertRuns(runs)).toMatchObject({ inserted: 50 });
      expect(await store.upsertRuns(runs)).toMatchObject({ inserted: 0, unchanged: 50 });
      expect(await store.countRuns()).toBe(50);
      expect(await store.readStatusHistory('databricks', 'ws-1', 'r0')).toHaveLength(1);
    } finally {
      await store.close();
    }
  });

  it('spools a batch the warehouse could not take and replays it first next time', async () => {
    const spoolDir = mkdtempSync(join(tmpdir(), 'pa-sf-spool-'));
    const store = await openSnowflakeStore(settings('SPOOLED'), { queryTag: 'pipeline-audit/test spool', spoolDir });
    try {
      await store.migrate();
      emu.faults.failStatement(/^MERGE INTO DEV_POWERAPPS\.SPOOLED\.RUNS/, { code: '000630', message: 'Statement reached its statement or warehouse timeout', sqlState: '57014' });
      const first = Array.from({ length: 30 }, (_, i) => makeRun({ runId: `a${i}` }));
      await expect(store.upsertRuns(first)).rejects.toMatchObject({ isRetryable: true });
      expect(await store.countRuns()).toBe(0);
      const second = Array.from({ length: 20 }, (_, i) => makeRun({ runId: `b${i}` }));
      expect(await store.upsertRuns(second)).toMatchObject({ inserted: 50 });
      expect(await store.countRuns()).toBe(50);
      expect(await store.upsertRuns(second)).toMatchObject({ inserted: 0, unchanged: 20 });
    } finally {
      await store.close();
      rmSync(spoolDir, { recursive: true, force: true });
    }
  });

  it('renews an expired session in the middle of a write', async () => {
    const store = await openSnowflakeStore(settings('RENEW'), { queryTag: 'pipeline-audit/test renew' });
    try {
      await store.migrate();
      emu.faults.expireSession();
      expect(await store.upsertRuns([makeRun({ runId: 'a' }), makeRun({ runId: 'b' })])).toMatchObject({ inserted: 2 });
    } finally {
      await store.close();
    }
  });

  it('lets one of two racing stores hold the lease', async () => {
    const a = await openSnowflakeStore(settings('LEASE'), { queryTag: 'pipeline-audit/test lease-a' });
    const b = await openSnowflakeStore(settings('LEASE'), { queryTag: 'pipeline-audit/test lease-b' });
    try {
      await a.migrate();
      const now = new Date();
      const [ra, rb] = await Promise.all([a.acquireLease('cycle-a', 60_000, now), b.acquireLease('cycle-b', 60_000, now)]);
      expect([ra, rb].filter(Boolean)).toHaveLength(1);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
