// The cycle end to end: the real Databricks collector against its simulator on 127.0.0.1, the real DuckDB store
// in a temp file. What is asserted is what the cycle promises: coverage advances only over committed, complete
// collections; nothing is lost or duplicated across failures; catch-up resumes where it was cut off.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { LEASE_TTL_MS, leaseHeartbeat, runAudit } from '../audit.js';
import type { AuditConfig } from '../config/load.js';
import { LeaseError } from '../errors.js';
import { generateDatabricksData, makeRun, type SimJob } from '../sim/databricks-data.js';
import { startDatabricksSimulator, type DatabricksSimulator } from '../sim/databricks.js';
import { openDuckDbStore } from '../sinks/store/duckdb.js';
import type { Store } from '../sinks/store/types.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = new Date('2026-11-23T12:00:00.000Z');
const TOKEN = 'dapi-cycle-test-token-0123456789';

const dir = mkdtempSync(join(tmpdir(), 'pa-cycle-'));
let n = 0;
const sims: DatabricksSimulator[] = [];
const stores: Store[] = [];

async function newStore(): Promise<Store> {
  const s = await openDuckDbStore(join(dir, `cycle-${n++}.duckdb`));
  await s.migrate();
  stores.push(s);
  return s;
}

async function newSim(runs = 120, days = 3, seed = 7): Promise<DatabricksSimulator> {
  const sim = await startDatabricksSimulator({ data: generateDatabricksData({ now: NOW, seed, jobs: 12, runs, days }), token: TOKEN, now: () => new Date(clock) });
  sims.push(sim);
  return sim;
}

function configFor(sims: DatabricksSimulator[], over: Partial<AuditConfig> = {}): AuditConfig {
  return {
    scopes: sims.map((s) => ({ platform: 'databricks' as const, scope: { host: s.url, token: TOKEN }, scopeId: new URL(s.url).host, source: 'test' })),
    enabled: ['databricks'],
    notEnabled: [],
    store: { kind: 'duckdb', path: ':test:' },
    initialLookbackMs: 3 * DAY,
    cycleTimeoutMs: 60_000,
    limits: { maxPages: 1000, maxDetailRequests: 50 },
    http: { retries: 1, minDelayMs: 1, maxDelayMs: 5, requestTimeoutMs: 5_000 },
    secrets: [TOKEN],
    configFile: null,
    ...over,
  };
}

let clock = NOW.getTime();
const now = () => new Date(clock);
let ids = 0;
const deps = (store: Store | null, extra: Partial<Parameters<typeof runAudit>[1]> = {}) => ({ store, now, newId: () => `cycle-${++ids}`, ...extra });

beforeAll(() => {
  clock = NOW.getTime();
});
afterEach(() => {
  clock = NOW.getTime();
});
afterAll(async () => {
  await Promise.all(sims.map((s) => s.close()));
  await Promise.all(stores.map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});

describe('runAudit', () => {
  it('collects, stores, records coverage and the cycle row; a second cycle stores nothing twice', async () => {
    const sim = await newSim();
    const store = await newStore();
    const config = configFor([sim]);
    const first = await runAudit(config, deps(store));
    const scope = first.scopes[0]!;
    expect(first.outcome).toBe('ok');
    expect(scope.complete).toBe(true);
    expect(scope.runsSeen).toBeGreaterThan(50);
    expect(scope.runsInserted).toBe(scope.runsSeen);
    expect(scope.requests).toBeGreaterThan(0);
    expect(first.budgets).toEqual([expect.objectContaining({ platform: 'databricks', scope: scope.scope, requests: scope.requests })]);
    expect(first.failedRuns.length).toBeGreaterThan(0);
    const stored = await store.countRuns();
    expect(stored).toBe(scope.runsSeen);
    const coverage = await store.getCoverage('databricks', scope.scope);
    expect(coverage?.coveredUntil.getTime()).toBe(NOW.getTime());
    expect((await store.lastCycle())?.cycleId).toBe(first.cycleId);

    clock += 15 * 60_000;
    const second = await runAudit(config, deps(store));
    expect(second.scopes[0]!.complete).toBe(true);
    expect(second.scopes[0]!.runsInserted).toBe(0);
    expect(await store.countRuns()).toBe(stored);
    // The second window starts at the recorded coverage minus the overlap, not at the initial lookback.
    expect(Date.parse(second.scopes[0]!.window!.start)).toBeGreaterThan(NOW.getTime() - DAY);
  });

  it('does not advance coverage when the page cap is hit, but stores what it read', async () => {
    const sim = await newSim(400, 1);
    const store = await newStore();
    const report = await runAudit(configFor([sim], { initialLookbackMs: DAY, limits: { maxPages: 2, maxDetailRequests: 0 } }), deps(store));
    const scope = report.scopes[0]!;
    expect(scope.complete).toBe(false);
    expect(scope.incomplete.join(' ')).toMatch(/page cap/);
    expect(report.blindSpots.map((b) => b.scope)).toEqual([scope.scope]);
    expect(await store.getCoverage('databricks', scope.scope)).toBeNull();
    expect(await store.countRuns()).toBe(scope.runsSeen);
    expect(report.outcome).toBe('partial');
  });

  it('keeps going when one workspace fails: the other advances, the failed one is a blind spot', async () => {
    const good = await newSim(80, 2, 1);
    const bad = await newSim(80, 2, 2);
    bad.failNext('/api/2.2/jobs/list', { status: 403, body: { error_code: 'PERMISSION_DENIED', message: 'no access' }, times: 10 });
    const store = await newStore();
    const report = await runAudit(configFor([good, bad]), deps(store));
    const byScope = new Map(report.scopes.map((s) => [s.scope, s]));
    const g = byScope.get(new URL(good.url).host)!;
    const b = byScope.get(new URL(bad.url).host)!;
    expect(g.complete).toBe(true);
    expect(b.complete).toBe(false);
    expect(b.error).toMatch(/403/);
    expect(report.blindSpots).toEqual([{ platform: 'databricks', scope: b.scope, reason: b.error }]);
    expect(await store.getCoverage('databricks', g.scope)).not.toBeNull();
    expect(await store.getCoverage('databricks', b.scope)).toBeNull();
  });

  it('re-collects a span whose store write failed, losing nothing and duplicating nothing', async () => {
    const sim = await newSim(100, 2);
    const real = await newStore();
    let failWrites = 1;
    // Every other call goes to the real store itself, so its one serial chain orders them all.
    const flaky = new Proxy(real, {
      get(target, prop) {
        if (prop === 'upsertRuns') {
          return async (runs: Parameters<Store['upsertRuns']>[0]) => {
            if (failWrites-- > 0) throw new Error('warehouse unavailable');
            return target.upsertRuns(runs);
          };
        }
        const v: unknown = Reflect.get(target, prop, target);
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const config = configFor([sim]);
    const first = await runAudit(config, deps(flaky));
    expect(first.scopes[0]!.complete).toBe(false);
    expect(first.scopes[0]!.error).toMatch(/warehouse unavailable/);
    expect(await real.getCoverage('databricks', first.scopes[0]!.scope)).toBeNull();
    expect(await real.countRuns()).toBe(0);

    clock += 15 * 60_000;
    const second = await runAudit(config, deps(flaky));
    expect(second.scopes[0]!.complete).toBe(true);
    expect(await real.countRuns()).toBe(generateDatabricksData({ now: NOW, seed: 7, jobs: 12, runs: 100, days: 2 }).runs.length);
  });

  it('chunks a catch-up, and a cycle cut off mid-way resumes from the last committed chunk', async () => {
    const sim = await newSim(300, 5);
    const store = await newStore();
    const controller = new AbortController();
    const config = configFor([sim], { initialLookbackMs: 5 * DAY });
    const cut = await runAudit(config, deps(store, {
      signal: controller.signal,
      onProgress: (e) => {
        if (e.type === 'chunk-done' && e.chunk === 2) controller.abort(new Error('time limit'));
      },
    }));
    const scope = cut.scopes[0]!;
    expect(scope.chunks).toEqual({ planned: 5, committed: 2 });
    expect(scope.complete).toBe(false);
    expect(scope.incomplete.join(' ')).toMatch(/cut off/);
    const coverage = await store.getCoverage('databricks', scope.scope);
    expect(coverage?.coveredUntil.toISOString()).toBe(new Date(NOW.getTime() - 3 * DAY).toISOString());

    clock += 5 * 60_000;
    const resumed = await runAudit(config, deps(store));
    expect(resumed.scopes[0]!.complete).toBe(true);
    expect(Date.parse(resumed.scopes[0]!.window!.start)).toBeLessThan(NOW.getTime() - 2 * DAY);
    // Everything the vendor holds for the five days is stored, once each.
    const expected = generateDatabricksData({ now: NOW, seed: 7, jobs: 12, runs: 300, days: 5 }).runs.length;
    expect(await store.countRuns()).toBe(expected);
  });

  it('records an unrecoverable gap when the coverage is older than the vendor keeps history', async () => {
    const sim = await newSim(30, 1);
    const store = await newStore();
    const scopeId = new URL(sim.url).host;
    await store.recordCoverage({ platform: 'databricks', scope: scopeId, coveredUntil: new Date(NOW.getTime() - 90 * DAY), cycleId: 'old', updatedAt: new Date(NOW.getTime() - 90 * DAY) });
    const report = await runAudit(configFor([sim]), deps(store));
    expect(report.scopes[0]!.gaps).toHaveLength(1);
    expect(Date.parse(report.scopes[0]!.window!.start)).toBe(NOW.getTime() - 60 * DAY);
  });

  it('redacts configured secrets that appear in run data before storing', async () => {
    const job = { job_id: 42, settings: { name: 'leaky_job' } } as SimJob;
    const run = makeRun({ runId: 9001, job, start: NOW.getTime() - HOUR, durationMs: 60_000, outcome: 'FAILED', errorText: `auth failed with token ${TOKEN} for user` });
    const sim = await startDatabricksSimulator({ data: { jobs: [job], runs: [run] }, token: TOKEN, now: () => new Date(clock) });
    sims.push(sim);
    const store = await newStore();
    const report = await runAudit(configFor([sim]), deps(store));
    const [stored] = await store.readRuns({ platform: 'databricks' });
    expect(stored?.errorMessage).toContain('auth failed');
    expect(JSON.stringify(stored)).not.toContain(TOKEN);
    expect(JSON.stringify(report)).not.toContain(TOKEN);
  });

  it('quarantines an item that fails validation with its payload, counts it, and stores the rest (nothing dropped)', async () => {
    const job = { job_id: 43, settings: { name: 'odd_job' } } as SimJob;
    const good = makeRun({ runId: 9101, job, start: NOW.getTime() - 2 * HOUR, durationMs: 60_000, outcome: 'SUCCESS' });
    const bad = makeRun({ runId: 9102, job, start: NOW.getTime() - HOUR, durationMs: 60_000, outcome: 'FAILED', errorText: `boom with ${TOKEN}` });
    (bad as unknown as { run_duration: number }).run_duration = -5; // a vendor value the run schema refuses
    const sim = await startDatabricksSimulator({ data: { jobs: [job], runs: [good, bad] }, token: TOKEN, now: () => new Date(clock) });
    sims.push(sim);
    const store = await newStore();
    const report = await runAudit(configFor([sim]), deps(store));
    expect(report.scopes[0]!.runsRejected).toBe(1);
    expect(report.scopes[0]!.complete).toBe(true);
    expect((await store.readRuns({ platform: 'databricks' })).map((r) => r.runId)).toEqual(['9101']);
    const [q] = await store.readQuarantine();
    expect(q).toMatchObject({ platform: 'databricks', itemId: '9102', cycleId: report.cycleId });
    expect(q!.reason).toMatch(/run_duration/);
    expect(JSON.parse(q!.payload)).toMatchObject({ stage: 'vendor', item: { run_duration: -5 } }); // as received
    expect(q!.payload).not.toContain(TOKEN);
  });

  it('reports a scope whose job inventory shrinks to nothing (lost access, not lost jobs)', async () => {
    const sim = await newSim(30, 1);
    const store = await newStore();
    await runAudit(configFor([sim]), deps(store));
    sim.setData({ jobs: [], runs: [] });
    clock += 15 * 60_000;
    const report = await runAudit(configFor([sim]), deps(store));
    const w = report.scopes[0]!.warnings.find((x) => x.code === 'inventory-empty');
    expect(w?.message).toMatch(/12 were seen before/);
  });

  it('writes nothing on a dry run', async () => {
    const sim = await newSim(50, 1);
    const store = await newStore();
    const report = await runAudit(configFor([sim]), deps(store, { dryRun: true }));
    expect(report.dryRun).toBe(true);
    expect(report.scopes[0]!.runsSeen).toBeGreaterThan(0);
    expect(await store.countRuns()).toBe(0);
    expect(await store.lastCycle()).toBeNull();
  });

  it('refuses to interleave with a cycle that holds the write lease', async () => {
    const sim = await newSim(20, 1);
    const store = await newStore();
    expect(await store.acquireLease('laptop-run', 10 * 60_000, NOW)).toBe(true);
    await expect(runAudit(configFor([sim]), deps(store))).rejects.toBeInstanceOf(LeaseError);
    expect(await store.countRuns()).toBe(0);
  });

  it('a local clock 30 days ahead of the vendor: runs stored, no coverage, no false gap, the skew a blind spot', async () => {
    const sim = await startDatabricksSimulator({ data: generateDatabricksData({ now: NOW, seed: 11, jobs: 4, runs: 30, days: 1 }), token: TOKEN, now: () => NOW });
    sims.push(sim);
    const store = await newStore();
    await store.recordCoverage({ platform: 'databricks', scope: new URL(sim.url).host, coveredUntil: new Date(NOW.getTime() - HOUR), cycleId: 'before', updatedAt: NOW });
    clock = NOW.getTime() + 30 * DAY;
    try {
      const report = await runAudit(configFor([sim]), deps(store));
      const scope = report.scopes[0]!;
      expect(scope.clockSkewMs).toBe(30 * DAY);
      expect(scope.complete).toBe(false);
      expect(scope.gaps).toEqual([]);
      expect(report.blindSpots[0]!.reason).toMatch(/local clock is 30 days ahead of databricks's clock/);
      expect(scope.runsSeen).toBeGreaterThan(0);
      expect(Date.parse(scope.window!.end)).toBe(NOW.getTime());
      expect((await store.getCoverage('databricks', scope.scope))!.coveredUntil).toEqual(new Date(NOW.getTime() - HOUR));
    } finally {
      clock = NOW.getTime();
    }
  });

  it('coverage recorded in the future (by a clock that ran ahead) is read again from the lookback, not waited for', async () => {
    const sim = await newSim(40, 1, 12);
    const store = await newStore();
    await store.recordCoverage({ platform: 'databricks', scope: new URL(sim.url).host, coveredUntil: new Date(NOW.getTime() + 30 * DAY), cycleId: 'skewed', updatedAt: NOW });
    const report = await runAudit(configFor([sim]), deps(store));
    const scope = report.scopes[0]!;
    expect(scope.warnings.map((w) => w.code)).toContain('coverage-in-future');
    expect(Date.parse(scope.window!.start)).toBe(NOW.getTime() - 3 * DAY);
    expect(scope.runsSeen).toBeGreaterThan(0);
    expect(scope.complete).toBe(true);
    expect((await store.getCoverage('databricks', scope.scope))!.coveredUntil.getTime()).toBeLessThanOrEqual(NOW.getTime());
  });

  it('takes a short lease that a dead cycle lets lapse within two minutes, and renews it while running', async () => {
    const sim = await newSim(20, 1);
    const store = await newStore();
    // A cycle that was killed after taking its lease (it never renews it, never releases it).
    expect(await store.acquireLease('killed-cycle', LEASE_TTL_MS, NOW)).toBe(true);
    const err = await runAudit(configFor([sim]), deps(store)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LeaseError);
    expect((err as LeaseError).message).toContain(new Date(NOW.getTime() + LEASE_TTL_MS).toISOString());
    clock = NOW.getTime() + LEASE_TTL_MS + 1_000;
    try {
      const report = await runAudit(configFor([sim]), deps(store));
      expect(report.outcome).toBe('ok');
    } finally {
      clock = NOW.getTime();
    }
    // The heartbeat's tick extends a held lease from the current time; another holder cannot take it meanwhile.
    const beat = leaseHeartbeat(store, 'running-cycle', () => new Date(NOW.getTime() + 10 * 60_000));
    expect(await store.acquireLease('running-cycle', LEASE_TTL_MS, new Date(NOW.getTime() + 9 * 60_000))).toBe(true);
    expect(await beat.tick()).toBe(true);
    expect(await store.acquireLease('other', LEASE_TTL_MS, new Date(NOW.getTime() + 11 * 60_000))).toBe(false);
    expect((await store.readLease!())!.expiresAt).toEqual(new Date(NOW.getTime() + 10 * 60_000 + LEASE_TTL_MS));
  });

  it('collects and reports when the store is down, writing nothing and saying so', async () => {
    const sim = await newSim(40, 1);
    const report = await runAudit(configFor([sim]), deps(null, { storeError: new Error('could not connect to the warehouse') }));
    expect(report.outcome).toBe('failed');
    expect(report.store).toEqual({ kind: 'duckdb', ok: false, error: 'could not connect to the warehouse' });
    expect(report.scopes[0]!.runsSeen).toBeGreaterThan(0);
    expect(report.scopes[0]!.complete).toBe(false);
  });
});
