import { closeSync, copyFileSync, existsSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { StoreError } from '../../../errors.js';
import { openDuckDbStore } from '../../../sinks/store/duckdb.js';
import { describeStoreContract } from './contract.js';
import { makeJob, makeRun } from '../../helpers/run-fixtures.js';
import { LATEST_VERSION } from '../../../sinks/store/tables.js';
import { SchemaVersionError } from '../../../errors.js';
import type { SqlSession } from '../../../sinks/store/assess-sql.js';

const dir = mkdtempSync(join(tmpdir(), 'pa-duck-'));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeStoreContract('DuckDB', async ({ migrate }) => {
  const store = await openDuckDbStore(join(dir, `contract-${n++}.duckdb`));
  if (migrate) await store.migrate();
  return { store, cleanup: () => store.close() };
});

describe('DuckDB store specifics', () => {
  it('opens read-only for readers and refuses writes there, saying so', async () => {
    const path = join(dir, 'ro.duckdb');
    const w = await openDuckDbStore(path);
    await w.migrate();
    await w.upsertRuns([makeRun()]);
    await w.close();
    const r = await openDuckDbStore(path, { readOnly: true });
    try {
      expect(await r.countRuns()).toBe(1);
      await expect(r.upsertRuns([makeRun({ runId: 'x' })])).rejects.toThrow(/read-only/);
    } finally {
      await r.close();
    }
  });

  it('fails with a StoreError naming the path when the file cannot be created or does not exist', async () => {
    await expect(openDuckDbStore(join(dir, 'no', 'such', 'dir', 'x.duckdb'))).rejects.toBeInstanceOf(StoreError);
    await expect(openDuckDbStore(join(dir, 'missing.duckdb'), { readOnly: true })).rejects.toThrow(/missing\.duckdb/);
  });

  it('upgrades a version-1 store in place: the data stays, the new tables and job columns appear', async () => {
    const path = join(dir, 'upgrade.duckdb');
    const v1 = await openDuckDbStore(path);
    await v1.migrate();
    await v1.upsertRuns([makeRun()]);
    await v1.upsertJobs([makeJob()]);
    await v1.close();
    // Turn the file back into what version 1 left (before the assessment tables existed).
    const duck = await import('@duckdb/node-api');
    const inst = await duck.DuckDBInstance.create(path);
    const raw = await inst.connect();
    for (const t of ['incidents', 'incident_events', 'silences', 'notification_ledger', 'deliveries', 'narratives']) await raw.run(`DROP TABLE ${t}`);
    for (const c of ['prev_paused', 'prev_state', 'state_cycle_id']) await raw.run(`ALTER TABLE jobs DROP COLUMN ${c}`);
    await raw.run('DELETE FROM schema_version WHERE version > 1');
    raw.closeSync();
    inst.closeSync();
    const store = await openDuckDbStore(path);
    try {
      await expect(store.checkSchema()).rejects.toBeInstanceOf(SchemaVersionError);
      await store.migrate();
      expect(await store.checkSchema()).toBe(LATEST_VERSION);
      expect(await store.countRuns()).toBe(1);
      await store.upsertJobs([makeJob({ paused: true, cycleId: 'c9' })]);
      const snap = await store.readAssessmentSnapshot('all', { now: new Date('2026-11-24T00:00:00Z'), finals: 20, successes: 20, cycleId: 'c9' });
      expect(snap.jobs.map((j) => [j.jobId, j.finals.length, j.jobBefore])).toEqual([['job-1', 1, { paused: false, state: 'UNPAUSED' }]]);
      expect(await store.readOpenIncidents()).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('checkpoints on close, leaving no .wal behind', async () => {
    const path = join(dir, 'wal.duckdb');
    const store = await openDuckDbStore(path);
    await store.migrate();
    await store.upsertRuns([makeRun()]);
    await store.close();
    expect(existsSync(`${path}.wal`)).toBe(false);
  });

  it('refuses to open a file whose data blocks are damaged, saying to restore it or move it aside', async () => {
    const path = join(dir, 'good.duckdb');
    const store = await openDuckDbStore(path);
    await store.migrate();
    await store.upsertRuns(Array.from({ length: 3000 }, (_, i) => makeRun({ runId: `r${i}`, errorMessage: `message ${i} `.repeat(20) })));
    await store.recordCycle({ cycleId: 'c1', startedAt: new Date(), endedAt: new Date(), outcome: 'ok', runsSeen: 1, runsWritten: 1, failedRuns: 0, warnings: 0, report: {}, toolVersion: 't' });
    await store.close();
    const bad = join(dir, 'damaged.duckdb');
    copyFileSync(path, bad);
    // Garbage in the middle of every 256 KB block after the file header (12 KB): whatever holds data is damaged.
    const fd = openSync(bad, 'r+');
    for (let at = 12_288 + 131_072; at < statSync(bad).size; at += 262_144) writeSync(fd, Buffer.alloc(512, 0xa5), 0, 512, at);
    closeSync(fd);
    const err = await openDuckDbStore(bad).then(
      async (s) => {
        await s.close();
        return null;
      },
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StoreError);
    expect(String((err as Error).message)).toMatch(/damaged\.duckdb cannot be read back .*restore it from a backup, or move it/);
    expect(err).toMatchObject({ isRetryable: false });
    // The undamaged original still opens.
    const ok = await openDuckDbStore(path);
    expect(await ok.countRuns()).toBe(3000);
    await ok.close();
  });

  it('serializes concurrent writes and reads from scopes collecting at the same time', async () => {
    const store = await openDuckDbStore(join(dir, 'concurrent.duckdb'));
    try {
      await store.migrate();
      const results = await Promise.all([
        ...[0, 1, 2].map((s) => store.upsertRuns(Array.from({ length: 200 }, (_, i) => makeRun({ scope: `ws-${s}`, runId: `r${i}` })))),
        ...[0, 1, 2].map((s) => store.recordCoverage({ platform: 'databricks', scope: `ws-${s}`, coveredUntil: new Date(), cycleId: 'c', updatedAt: new Date() })),
        store.countRuns(),
      ]);
      expect(results.slice(0, 3).map((r) => (r as { inserted: number }).inserted)).toEqual([200, 200, 200]);
      expect(await store.countRuns()).toBe(600);
    } finally {
      await store.close();
    }
  });

  it('stores a large batch in one upsert with every row accounted for', async () => {
    const store = await openDuckDbStore(join(dir, 'big.duckdb'));
    try {
      await store.migrate();
      const runs = Array.from({ length: 20_000 }, (_, i) => makeRun({ runId: `r${i}`, scope: `ws-${i % 3}` }));
      expect(await store.upsertRuns(runs)).toEqual({ inserted: 20_000, updated: 0, unchanged: 0, statusChanges: 20_000, quarantined: 0 });
      expect(await store.countRuns()).toBe(20_000);
    } finally {
      await store.close();
    }
  });

  it('writes an upsert larger than a transaction in several, every row accounted for, a refused one set aside', async () => {
    const store = await openDuckDbStore(join(dir, 'tx-slices.duckdb'), { maxRowsPerTransaction: 3 });
    try {
      await store.migrate();
      const first = Array.from({ length: 5 }, (_, i) => makeRun({ runId: `r${i}` }));
      expect(await store.upsertRuns(first)).toEqual({ inserted: 5, updated: 0, unchanged: 0, statusChanges: 5, quarantined: 0 });
      // Mixed slices: unchanged, a newer observation with another status, new runs, and one DuckDB refuses.
      const later = new Date(first[0]!.lastSeenAt.getTime() + 60_000);
      const second = [
        ...first.slice(0, 3),
        makeRun({ runId: 'r3', status: { category: 'failed', detail: null, raw: 'FAILED' }, lastSeenAt: later, updatedAt: later }),
        makeRun({ runId: 'n1' }),
        makeRun({ runId: 'n2', rowsProcessed: 1e40 }),
        makeRun({ runId: 'n3' }),
      ];
      expect(await store.upsertRuns(second)).toEqual({ inserted: 2, updated: 1, unchanged: 3, statusChanges: 3, quarantined: 1 });
      expect((await store.readRuns()).map((r) => r.runId).sort()).toEqual(['n1', 'n3', 'r0', 'r1', 'r2', 'r3', 'r4']);
      expect((await store.readStatusHistory('databricks', 'ws-1', 'r3')).map((h) => h.raw)).toEqual([first[3]!.status.raw, 'FAILED']);
      expect((await store.readQuarantine()).map((q) => [q.itemId, q.reason])).toEqual([['n2', expect.stringMatching(/Conversion Error: column rows_processed/)]]);
    } finally {
      await store.close();
    }
  });

  it('caps DuckDB’s memory as asked, and refuses a cap that is not a whole number of MB', async () => {
    const store = await openDuckDbStore(join(dir, 'mem.duckdb'), { memoryLimitMb: 100 });
    try {
      const session = (store as unknown as { sqlSession(): SqlSession }).sqlSession();
      const [row] = await session.read((q) => q.query("SELECT current_setting('memory_limit') AS m"));
      expect(String(row?.m)).toMatch(/^9\d(\.\d)? MiB$/); // 100 MB = 95.3 MiB
    } finally {
      await store.close();
    }
    await expect(openDuckDbStore(join(dir, 'mem2.duckdb'), { memoryLimitMb: 64.5 })).rejects.toThrow(/whole number of MB/);
  });
});
