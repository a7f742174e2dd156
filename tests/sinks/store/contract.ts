// The semantic suite every Store must pass: DuckDB and the Snowflake store (against the emulator) run it alike.
import { beforeEach, afterEach, describe, expect, it } from '@jest/globals';
import { SchemaVersionError } from '../../../errors.js';
import { RunSchema, type Run } from '../../../normalize/schema.js';
import type { Store } from '../../../sinks/store/types.js';
import { HOSTILE, makeJob, makeRun, T0, at } from '../../helpers/run-fixtures.js';
import { assessContract } from './contract-assess.js';

export function describeStoreContract(name: string, open: (opts: { migrate: boolean }) => Promise<{ store: Store; cleanup(): Promise<void> }>): void {
  describe(`${name} store contract`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    beforeEach(async () => {
      ({ store, cleanup } = await open({ migrate: true }));
    });
    afterEach(async () => {
      await cleanup();
    });

    it('migrates idempotently and reports its schema version', async () => {
      await store.migrate();
      await store.migrate();
      expect(await store.checkSchema()).toBeGreaterThanOrEqual(1);
    });

    it('a never-migrated store is behind', async () => {
      const fresh = await open({ migrate: false });
      try {
        await expect(fresh.store.checkSchema()).rejects.toBeInstanceOf(SchemaVersionError);
        await expect(fresh.store.beginCycle('cycle-a', 60_000, T0)).rejects.toBeInstanceOf(SchemaVersionError);
      } finally {
        await fresh.cleanup();
      }
    });

    it('stores a batch once: the same batch again changes nothing', async () => {
      const batch = [makeRun({ runId: 'a' }), makeRun({ runId: 'b', status: { category: 'failed', detail: null, raw: 'FAILED' } })];
      expect(await store.upsertRuns(batch)).toEqual({ inserted: 2, updated: 0, unchanged: 0, statusChanges: 2, quarantined: 0 });
      expect(await store.upsertRuns(batch)).toEqual({ inserted: 0, updated: 0, unchanged: 2, statusChanges: 0, quarantined: 0 });
      expect(await store.countRuns()).toBe(2);
      expect(await store.readStatusHistory('databricks', 'ws-1', 'a')).toHaveLength(1);
    });

    it('a later sighting of an identical run counts as unchanged, not updated (its last sighting is still recorded)', async () => {
      const first = makeRun({ runId: 's', lastSeenAt: at(1), firstSeenAt: at(1), cycleId: 'c1' });
      await store.upsertRuns([first]);
      const again = { ...first, lastSeenAt: at(2), firstSeenAt: at(2), cycleId: 'c2' };
      expect(await store.upsertRuns([again])).toMatchObject({ inserted: 0, updated: 0, unchanged: 1, statusChanges: 0 });
      const [row] = await store.readRuns();
      expect(row!.lastSeenAt.toISOString()).toBe(at(2).toISOString());
      // A changed field (here the error text) is an update even with the same status.
      const edited = { ...again, errorMessage: 'now with a message', lastSeenAt: at(3), cycleId: 'c3' };
      expect(await store.upsertRuns([edited])).toMatchObject({ updated: 1, unchanged: 0, statusChanges: 0 });
    });

    it('keeps the newest of duplicate keys inside one batch', async () => {
      const older = makeRun({ runId: 'd', status: { category: 'running', detail: null, raw: 'RUNNING' }, lastSeenAt: at(1), firstSeenAt: at(1) });
      const newer = makeRun({ runId: 'd', status: { category: 'succeeded', detail: null, raw: 'SUCCESS' }, lastSeenAt: at(2), firstSeenAt: at(2) });
      const r = await store.upsertRuns([newer, older]);
      expect(r.inserted).toBe(1);
      const [row] = await store.readRuns();
      expect(row!.status.category).toBe('succeeded');
      expect(row!.firstSeenAt.toISOString()).toBe(at(1).toISOString());
    });

    it('a newer observation replaces an older one; a late older one never does; history keeps a repaired failure', async () => {
      await store.upsertRuns([makeRun({ runId: 'r', status: { category: 'running', detail: null, raw: 'RUNNING' }, lastSeenAt: at(1), firstSeenAt: at(1) })]);
      const failed = makeRun({ runId: 'r', status: { category: 'failed', detail: null, raw: 'FAILED' }, updatedAt: at(2), lastSeenAt: at(2), firstSeenAt: at(2) });
      expect((await store.upsertRuns([failed])).updated).toBe(1);
      const repaired = makeRun({ runId: 'r', status: { category: 'succeeded', detail: null, raw: 'SUCCESS' }, updatedAt: at(3), lastSeenAt: at(3), firstSeenAt: at(3) });
      expect((await store.upsertRuns([repaired])).updated).toBe(1);
      // A replay of the failure (older update time) arrives late: ignored.
      expect(await store.upsertRuns([failed])).toMatchObject({ updated: 0, unchanged: 1, statusChanges: 0 });
      const [row] = await store.readRuns();
      expect(row!.status.category).toBe('succeeded');
      expect(row!.firstSeenAt.toISOString()).toBe(at(1).toISOString());
      const history = await store.readStatusHistory('databricks', 'ws-1', 'r');
      expect(history.map((h) => h.category)).toEqual(['running', 'failed', 'succeeded']);
    });

    it('round-trips every field, hostile strings included, verbatim', async () => {
      const run = makeRun({
        runId: HOSTILE,
        jobId: HOSTILE,
        jobName: HOSTILE,
        parentRunId: HOSTILE,
        runType: HOSTILE.slice(0, 100),
        status: { category: 'failed', detail: HOSTILE.slice(0, 200), raw: HOSTILE },
        trigger: HOSTILE.slice(0, 100),
        errorCode: HOSTILE.slice(0, 200),
        errorClass: HOSTILE.slice(0, 200),
        errorMessage: HOSTILE,
        url: HOSTILE,
        raw: { note: HOSTILE, nested: [1, 'two', { three: null }] },
        rowsProcessed: 123_456_789,
        bytesProcessed: 9_007_199_254,
        durationMs: 61_000,
        scheduledAt: at(0),
        endedAt: at(5),
        updatedAt: at(5),
      });
      await store.upsertRuns([run]);
      const [back] = await store.readRuns();
      expect(RunSchema.parse(back)).toEqual(run);
    });

    it('keeps colliding run ids of two scopes apart', async () => {
      await store.upsertRuns([makeRun({ scope: 'ws-1', runId: '42' }), makeRun({ scope: 'ws-2', runId: '42' })]);
      expect(await store.countRuns()).toBe(2);
      expect((await store.readRuns({ scope: 'ws-2' })).map((r) => r.scope)).toEqual(['ws-2']);
    });

    it('filters reads by platform, time and category', async () => {
      await store.upsertRuns([
        makeRun({ runId: 'old', startedAt: at(-100) }),
        makeRun({ runId: 'new-fail', startedAt: at(10), status: { category: 'failed', detail: null, raw: 'FAILED' } }),
        makeRun({ runId: 'ab', platform: 'airbyte', startedAt: at(10) }),
      ]);
      expect((await store.readRuns({ since: at(0) })).map((r) => r.runId).sort()).toEqual(['ab', 'new-fail']);
      expect((await store.readRuns({ platform: 'databricks', categories: ['failed'] })).map((r) => r.runId)).toEqual(['new-fail']);
      expect(await store.readRuns({ limit: 1 })).toHaveLength(1);
    });

    it('sets aside a run it cannot hold and stores the rest', async () => {
      const circular: Record<string, unknown> = {};
      circular.self = circular;
      const bad = makeRun({ runId: 'bad', raw: circular });
      const farFuture = makeRun({ runId: 'year-10000', startedAt: new Date(Date.UTC(10000, 0, 1)) });
      const r = await store.upsertRuns([makeRun({ runId: 'good-1' }), bad, farFuture, makeRun({ runId: 'good-2' })]);
      expect(r).toMatchObject({ inserted: 2, quarantined: 2 });
      expect((await store.readRuns()).map((x) => x.runId).sort()).toEqual(['good-1', 'good-2']);
    });

    it('bisects out a row the store itself refuses, quarantines it with the reason, and commits the rest', async () => {
      // 1e40 passes the row mapping but fits no 64-bit or NUMBER(38) column: the store refuses it, not the mapper.
      const runs = Array.from({ length: 9 }, (_, i) => makeRun({ runId: `b${i}`, ...(i === 5 ? { rowsProcessed: 1e40 } : {}) }));
      const r = await store.upsertRuns(runs);
      expect(r).toEqual({ inserted: 8, updated: 0, unchanged: 0, statusChanges: 8, quarantined: 1 });
      expect((await store.readRuns()).map((x) => x.runId).sort()).toEqual(['b0', 'b1', 'b2', 'b3', 'b4', 'b6', 'b7', 'b8']);
      expect(await store.readStatusHistory('databricks', 'ws-1', 'b5')).toEqual([]);
      // Nothing blocks the next cycle: the good rows are unchanged, the bad one is refused again, alone.
      expect(await store.upsertRuns(runs)).toEqual({ inserted: 0, updated: 0, unchanged: 8, statusChanges: 0, quarantined: 1 });
    });

    it('stores text with lone surrogates and NUL, made well-formed', async () => {
      const run = makeRun({ runId: 'w\ud800', jobName: 'half \ud83d emoji', errorMessage: 'nul\u0000here \udc00', raw: { note: 'x\ud800y' } });
      expect(await store.upsertRuns([run, makeRun({ runId: 'plain' })])).toMatchObject({ inserted: 2, quarantined: 0 });
      const back = (await store.readRuns()).find((x) => x.runId !== 'plain');
      expect(back).toMatchObject({ runId: 'w\ufffd', jobName: 'half \ufffd emoji', errorMessage: 'nul\ufffdhere \ufffd', raw: { note: 'x\ufffdy' } });
    });

    it('upserts jobs keyed by platform, scope and job id, keeping the first sighting', async () => {
      await store.upsertJobs([makeJob({ jobId: 'j1', name: 'first', firstSeenAt: at(1), lastSeenAt: at(1) })]);
      const r = await store.upsertJobs([makeJob({ jobId: 'j1', name: HOSTILE, paused: true, firstSeenAt: at(2), lastSeenAt: at(2) }), makeJob({ jobId: 'j2' })]);
      expect(r).toMatchObject({ inserted: 1, updated: 1 });
      const jobs = await store.readJobs('databricks');
      expect(jobs.map((j) => [j.jobId, j.name, j.paused])).toEqual([
        ['j1', HOSTILE, true],
        ['j2', 'nightly_orders', false],
      ]);
      expect(jobs[0]!.firstSeenAt.toISOString()).toBe(at(1).toISOString());
      expect(jobs[0]!.tags).toEqual({ team: 'data-eng' });
    });

    it('records coverage, gaps and cycles', async () => {
      expect(await store.getCoverage('databricks', 'ws-1')).toBeNull();
      await store.recordCoverage({ platform: 'databricks', scope: 'ws-1', coveredUntil: at(1), cycleId: 'c1', updatedAt: at(1) });
      await store.recordCoverage({ platform: 'databricks', scope: 'ws-1', coveredUntil: at(2), cycleId: 'c2', updatedAt: at(2) });
      expect(await store.getCoverage('databricks', 'ws-1')).toEqual({ platform: 'databricks', scope: 'ws-1', coveredUntil: at(2), cycleId: 'c2', updatedAt: at(2) });
      await store.recordGap({ platform: 'databricks', scope: 'ws-1', from: at(-10), to: at(-5), cycleId: 'c2', recordedAt: at(2) });
      expect(await store.lastCycle()).toBeNull();
      const cycle = { cycleId: 'c2', startedAt: at(2), endedAt: at(3), outcome: 'partial' as const, runsSeen: 5, runsWritten: 4, failedRuns: 1, warnings: 2, report: { note: HOSTILE }, toolVersion: '0.1.0' };
      await store.recordCycle(cycle);
      expect(await store.lastCycle()).toEqual(cycle);
    });

    it('grants the write lease to one holder at a time until it expires', async () => {
      expect(await store.acquireLease('cycle-a', 60_000, T0)).toBe(true);
      expect(await store.acquireLease('cycle-b', 60_000, at(0.5))).toBe(false);
      expect(await store.acquireLease('cycle-a', 60_000, at(0.5))).toBe(true);
      expect((await store.readLease?.())?.holder).toBe('cycle-a');
      expect(await store.acquireLease('cycle-b', 60_000, at(60))).toBe(true);
      await store.releaseLease('cycle-a');
      expect((await store.readLease?.())?.holder).toBe('cycle-b');
      await store.releaseLease('cycle-b');
      expect(await store.acquireLease('cycle-c', 60_000, at(60))).toBe(true);
    });

    it('begins a cycle under the same lease rules as acquireLease', async () => {
      expect(await store.beginCycle('cycle-a', 60_000, T0)).toBe(true);
      expect(await store.beginCycle('cycle-b', 60_000, at(0.5))).toBe(false);
      expect(await store.beginCycle('cycle-a', 60_000, at(0.5))).toBe(true);
      expect((await store.readLease?.())?.holder).toBe('cycle-a');
      expect(await store.beginCycle('cycle-b', 60_000, at(60))).toBe(true);
      expect((await store.readLease?.())?.holder).toBe('cycle-b');
    });

    assessContract(() => store);
  });
}

export type { Run };
