// The cycle streams: runs go to the store in batches of at most `batchRuns` while the collector pages on, and a
// chunk that fails mid-way (some of its runs already written) records no coverage for itself; the next cycle
// resumes from the last chunk written in full and stores every run once. The real Databricks collector against its
// simulator on 127.0.0.1, the real DuckDB store behind a recording wrapper.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { fetch as undiciFetch } from 'undici';
import { runAudit } from '../audit.js';
import type { AuditConfig } from '../config/load.js';
import type { FetchLike } from '../connect/http.js';
import { generateDatabricksData } from '../sim/databricks-data.js';
import { startDatabricksSimulator, type DatabricksSimulator } from '../sim/databricks.js';
import { openDuckDbStore } from '../sinks/store/duckdb.js';
import type { Store } from '../sinks/store/types.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = new Date('2026-11-23T12:00:00.000Z');
const TOKEN = 'dapi-stream-test-token-0123456789';
const dir = mkdtempSync(join(tmpdir(), 'pa-stream-'));
const sims: DatabricksSimulator[] = [];
const stores: Store[] = [];
let n = 0;
let clock = NOW.getTime();
const now = () => new Date(clock);

afterAll(async () => {
  await Promise.all(sims.map((s) => s.close()));
  await Promise.all(stores.map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});

const dataset = { now: NOW, seed: 11, jobs: 12, runs: 900, days: 4 };

async function setup(): Promise<{ sim: DatabricksSimulator; store: Store; batches: number[] }> {
  clock = NOW.getTime();
  const sim = await startDatabricksSimulator({ data: generateDatabricksData(dataset), token: TOKEN, now });
  sims.push(sim);
  const real = await openDuckDbStore(join(dir, `stream-${n++}.duckdb`));
  await real.migrate();
  stores.push(real);
  const batches: number[] = [];
  // Every other call goes to the real store itself, so its one serial chain orders them all (writes and coverage
  // records now overlap: a chunk's coverage is recorded while the next chunk's first batch is written).
  const store = new Proxy(real, {
    get(target, prop) {
      if (prop === 'upsertRuns') {
        return (runs: Parameters<Store['upsertRuns']>[0]) => {
          batches.push(runs.length);
          return target.upsertRuns(runs);
        };
      }
      const v: unknown = Reflect.get(target, prop, target);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { sim, store, batches };
}

function config(sim: DatabricksSimulator): AuditConfig {
  return {
    scopes: [{ platform: 'databricks', scope: { host: sim.url, token: TOKEN }, scopeId: new URL(sim.url).host, source: 'test' }],
    enabled: ['databricks'],
    notEnabled: [],
    store: { kind: 'duckdb', path: ':test:' },
    initialLookbackMs: 4 * DAY,
    cycleTimeoutMs: 60_000,
    limits: { maxPages: 1000, maxDetailRequests: 50 },
    http: { retries: 0, minDelayMs: 1, maxDelayMs: 5, requestTimeoutMs: 5_000 },
    secrets: [TOKEN],
    configFile: null,
  };
}

describe('runAudit streams runs to the store', () => {
  it('writes in batches of at most batchRuns, every run once, and records coverage over the whole window', async () => {
    const { sim, store, batches } = await setup();
    const report = await runAudit(config(sim), { store, now, newId: () => 'cycle-batches', assess: false, batchRuns: 40 });
    const scope = report.scopes[0]!;
    expect(scope.error).toBeNull();
    expect(scope.complete).toBe(true);
    expect(scope.chunks).toEqual({ planned: 4, committed: 4 });
    const expected = generateDatabricksData(dataset).runs.length;
    expect(await store.countRuns()).toBe(expected);
    expect(batches.length).toBeGreaterThan(expected / 40);
    expect(Math.max(...batches)).toBeLessThanOrEqual(40);
    expect(batches.reduce((a, b) => a + b, 0)).toBe(scope.runsSeen);
    expect((await store.getCoverage('databricks', scope.scope))?.coveredUntil.toISOString()).toBe(NOW.toISOString());
  });

  it('a chunk that fails mid-way records no coverage for itself; the next cycle resumes there and stores each run once', async () => {
    const { sim, store, batches } = await setup();
    const third = NOW.getTime() - 2 * DAY; // the third of four one-day chunks starts here
    let failed = 0;
    // The third chunk's listings answer their first page, then fail: the chunk is cut mid-way, after some of its
    // runs went out.
    const fetch: FetchLike = async (url, init) => {
      const u = new URL(url);
      const from = Number(u.searchParams.get('start_time_from'));
      if (u.pathname.endsWith('/runs/list') && from >= third && from < third + DAY && u.searchParams.get('page_token')) {
        failed++;
        return new Response(JSON.stringify({ error_code: 'INTERNAL_ERROR', message: 'boom' }), { status: 500, headers: { 'content-type': 'application/json' } });
      }
      return undiciFetch(url, init as never) as unknown as Promise<Response>;
    };
    const first = await runAudit(config(sim), { store, now, fetch, newId: () => 'cycle-cut', assess: false, batchRuns: 10 });
    const scope = first.scopes[0]!;
    expect(failed).toBeGreaterThan(0);
    expect(scope.error).not.toBeNull();
    expect(scope.complete).toBe(false);
    expect(scope.chunks).toEqual({ planned: 4, committed: 2 });
    expect((await store.getCoverage('databricks', scope.scope))?.coveredUntil.toISOString()).toBe(new Date(third).toISOString());
    const writtenBefore = await store.countRuns();
    expect(writtenBefore).toBeGreaterThan(0);
    expect(Math.max(...batches)).toBeLessThanOrEqual(10);

    clock += 15 * 60_000;
    const second = await runAudit(config(sim), { store, now, newId: () => 'cycle-resumed', assess: false, batchRuns: 10 });
    expect(second.scopes[0]!.complete).toBe(true);
    expect(Date.parse(second.scopes[0]!.window!.start)).toBeLessThanOrEqual(third);
    expect(await store.countRuns()).toBe(generateDatabricksData(dataset).runs.length);
  });

});
