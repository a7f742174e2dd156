// Benchmark: one full audit cycle (catch-up over a week of history) against the simulated HTTP platforms with
// injected latency, then a steady-state cycle (200 jobs, 15 minutes of new runs). Run after `npm run build`:
//   node dist/bench/cycle.js [--runs 20000] [--latency 50] [--platforms databricks,airbyte,powerautomate] [--json]
// The simulators run in a child process (bench/sim-server.ts), so peak RSS is the cycle's own.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runAudit } from '../audit.js';
import { collectorFor } from '../collectors/registry.js';
import type { AuditConfig, ScopeConfig } from '../config.js';
import type { Platform } from '../normalize/schema.js';
import { openDuckDbStore } from '../sinks/duckdb.js';
import type { BenchPlatform, StartMessage, Started, Stats } from './sim-server.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '20000' },
    latency: { type: 'string', default: '50' },
    platforms: { type: 'string', default: 'databricks,airbyte,powerautomate' },
    days: { type: 'string', default: '7' },
    json: { type: 'boolean', default: false },
  },
});
const totalRuns = Number(values.runs);
const latencyMs = Number(values.latency);
const days = Number(values.days);
const platforms = values.platforms.split(',').map((p) => p.trim()) as BenchPlatform[];

const child = fork(join(dirname(fileURLToPath(import.meta.url)), 'sim-server.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
const ask = <T>(msg: unknown): Promise<T> =>
  new Promise((resolve) => {
    child.once('message', (m) => resolve(m as T));
    child.send(msg as never);
  });

function configFor(s: Started, dbPath: string): AuditConfig {
  const scopes: ScopeConfig[] = [];
  const add = (platform: Platform, raw: unknown) => scopes.push({ platform, scope: collectorFor(platform).scopeSchema.parse(raw), scopeId: `bench-${platform}`, source: 'bench' });
  if (s.databricks) add('databricks', { host: s.databricks.url, token: 'bench-token' });
  if (s.airbyte) add('airbyte', { baseUrl: s.airbyte.url, apiKey: 'bench-key', workspaceIds: [] });
  if (s.powerautomate) {
    const e = s.powerautomate.entra;
    add('powerautomate', { environmentUrl: s.powerautomate.url, tenantId: e.tenantId, clientId: e.clientId, clientSecret: e.clientSecret, authorityHost: e.authorityHost, authorityCaPem: e.caPem });
  }
  return {
    scopes,
    enabled: scopes.map((x) => x.platform),
    notEnabled: [],
    store: { kind: 'duckdb', path: dbPath },
    initialLookbackMs: days * DAY + HOUR,
    cycleTimeoutMs: 60 * 60_000,
    limits: { maxPages: 1_000_000, maxDetailRequests: 200 },
    http: { retries: 2 },
    secrets: [],
    configFile: null,
  };
}

/**
 * The pagination lower bound of one platform: requests that must follow one another, × latency. Databricks pages
 * each window's start-time range as 3 slices in parallel (runs/list pages ÷ 3, the runs being spread evenly in
 * time) after the jobs listing; Airbyte and Dataverse page one listing at a time (offset / nextLink paging), so
 * every request of theirs is on the critical path. Platforms run in parallel: the cycle's bound is the largest.
 */
function chain(platform: BenchPlatform, stats: Record<string, number>): number {
  const sum = (pred: (path: string) => boolean) => Object.entries(stats).reduce((n, [p, c]) => n + (pred(p) ? c : 0), 0);
  if (platform === 'databricks') return sum((p) => p.endsWith('/jobs/list')) + Math.ceil(sum((p) => p.endsWith('/runs/list')) / 3) + sum((p) => p.endsWith('/runs/get'));
  return sum(() => true);
}

interface Row {
  phase: string;
  runs: number;
  requests: number;
  wallMs: number;
  lowerBoundMs: number | null;
  ratio: number | null;
  peakRssMb: number;
}

async function main(): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'pa-bench-'));
  const rows: Row[] = [];
  try {
    const perPlatform = Math.ceil(totalRuns / platforms.length);
    const started = await ask<Started>({ cmd: 'start', platforms, runs: perPlatform, jobs: 200, days, latencyMs, now: new Date().toISOString(), seed: 1 } satisfies StartMessage);
    const store = await openDuckDbStore(join(dir, 'bench.duckdb'));
    await store.migrate();
    const config = configFor(started, join(dir, 'bench.duckdb'));
    let t0 = performance.now();
    const full = await runAudit(config, { store });
    const wallFull = performance.now() - t0;
    const stats = await ask<Stats>({ cmd: 'stats' });
    const bound = Math.max(...platforms.map((p) => chain(p, stats[p] ?? {}) * latencyMs));
    const incomplete = full.scopes.filter((s) => !s.complete).map((s) => `${s.platform}: ${s.error ?? s.incomplete.join('; ')}`);
    if (incomplete.length) throw new Error(`the full cycle was incomplete: ${incomplete.join(' | ')}`);
    rows.push({ phase: `full cycle, ${platforms.length} platform(s), ${days} days`, runs: full.totals.runsSeen, requests: full.totals.requests, wallMs: wallFull, lowerBoundMs: bound, ratio: wallFull / bound, peakRssMb: process.resourceUsage().maxRSS / 1024 });

    // Steady state: 200 jobs, 15 minutes of new runs, the store and coverage of the cycle above.
    const steady = await ask<Started>({ cmd: 'start', platforms, runs: 200, jobs: 200, days: 15 / 1440, latencyMs, now: new Date().toISOString(), seed: 2 } satisfies StartMessage);
    const steadyConfig = configFor(steady, join(dir, 'bench.duckdb'));
    t0 = performance.now();
    const next = await runAudit(steadyConfig, { store });
    const wallSteady = performance.now() - t0;
    rows.push({ phase: 'steady state: 200 jobs, 15 min of new runs', runs: next.totals.runsSeen, requests: next.totals.requests, wallMs: wallSteady, lowerBoundMs: null, ratio: null, peakRssMb: process.resourceUsage().maxRSS / 1024 });
    await store.close();
    return rows;
  } finally {
    await ask({ cmd: 'stop' }).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  (rows) => {
    if (values.json) {
      process.stdout.write(JSON.stringify({ runs: totalRuns, latencyMs, platforms, rows }, null, 2) + '\n');
      return;
    }
    const f = (n: number | null, d = 0) => (n === null ? '—' : n.toFixed(d));
    console.log(`pipeline-audit cycle benchmark: ${totalRuns} runs over ${platforms.join(', ')}, ${latencyMs} ms latency per request`);
    console.log('phase | runs | HTTP requests | wall s | lower bound s | ratio | peak RSS MB');
    for (const r of rows) console.log(`${r.phase} | ${r.runs} | ${r.requests} | ${f(r.wallMs / 1000, 1)} | ${r.lowerBoundMs === null ? '—' : f(r.lowerBoundMs / 1000, 1)} | ${f(r.ratio, 2)} | ${f(r.peakRssMb)}`);
  },
  (e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  },
);
