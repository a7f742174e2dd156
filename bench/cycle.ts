// Benchmark: one full audit cycle (a week of history caught up in 1-day chunks) against the simulated HTTP
// platforms with injected latency, then a steady-state cycle (200 jobs, 15 minutes of new runs) against the same
// servers and store. Run after `npm run build`:
//   node dist/bench/cycle.js [--runs 20000] [--latency 50] [--platforms databricks,airbyte,powerautomate] [--json]
// The simulators run in a child process (bench/sim-server.ts), so the peak RSS printed is the cycle's own.
import { fork, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runAudit, type ProgressEvent } from '../audit.js';
import type { AuditConfig } from '../config/load.js';
import type { AuditReport } from '../summarize/report.js';
import { openDuckDbStore } from '../sinks/store/duckdb.js';
import { budgetRow, BUDGETS, type BudgetRow } from './budgets.js';
import { chainOf, plan, type Chain } from './lower-bound.js';
import { BENCH_PLATFORMS, type BenchPlatform, type DataSpec, type Request, type Started } from './sim-server.js';
import { benchScopes } from './scopes.js';

const DAY = 86_400_000;

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '20000' },
    latency: { type: 'string', default: '50' },
    platforms: { type: 'string', default: BENCH_PLATFORMS.join(',') },
    days: { type: 'string', default: '7' },
    jobs: { type: 'string', default: '200' },
    /** New runs per platform in the steady-state cycle. */
    'steady-runs': { type: 'string', default: '200' },
    json: { type: 'boolean', default: false },
    /** Collect and validate, write nothing (a dry run): the tool's own memory and time without the store's. */
    'dry-run': { type: 'boolean', default: false },
    /** Run counts to measure one after another, each in its own process (peak RSS is a per-process high-water mark). */
    series: { type: 'string' },
  },
});

function positive(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got '${v}'`);
  return n;
}
const totalRuns = Math.round(positive('runs', values.runs));
const latencyMs = positive('latency', values.latency);
const days = positive('days', values.days);
const jobs = Math.round(positive('jobs', values.jobs));
const steadyRuns = Math.round(positive('steady-runs', values['steady-runs']));
const platforms = values.platforms.split(',').map((p) => p.trim()) as BenchPlatform[];
for (const p of platforms) if (!BENCH_PLATFORMS.includes(p)) throw new Error(`--platforms: unknown '${p}' (known: ${BENCH_PLATFORMS.join(', ')})`);

// The simulators' process (none in --series mode, where each size runs in a process of its own).
const child = values.series ? undefined : fork(join(dirname(fileURLToPath(import.meta.url)), 'sim-server.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] });
function ask<T>(msg: Request): Promise<T> {
  if (!child) throw new Error('no simulators in --series mode');
  return new Promise((resolve, reject) => {
    child.once('message', (m) => (m && typeof m === 'object' && 'error' in m ? reject(new Error(`simulators: ${String(m.error)}`)) : resolve(m as T)));
    child.send(msg);
  });
}

function configFor(s: Started, dbPath: string): AuditConfig {
  const scopes = benchScopes(s);
  return {
    scopes,
    enabled: scopes.map((x) => x.platform),
    notEnabled: [],
    store: { kind: 'duckdb', path: dbPath },
    initialLookbackMs: days * DAY,
    cycleTimeoutMs: 60 * 60_000,
    // Generous: the benchmark measures paging, not the caps (a capped listing would end the cycle incomplete).
    limits: { maxPages: 1_000_000, maxDetailRequests: 10_000 },
    http: { retries: 2 },
    secrets: [],
    configFile: null,
  };
}

interface PlatformRow {
  platform: BenchPlatform;
  runs: number;
  requests: number;
  chunks: number;
  /** Round trips that must follow one another (see bench/lower-bound.ts). */
  chainPages: number;
  /** Pages of all the listings the plan needs (a floor for the request count). */
  listingPages: number;
  lowerBoundMs: number;
  /** From the cycle's start to this platform's last chunk committed. */
  wallMs: number;
}
interface PhaseRow {
  phase: string;
  runs: number;
  requests: number;
  wallMs: number;
  lowerBoundMs: number;
  ratio: number;
  peakRssMb: number;
  /** Peak RSS when the last platform was done: collection and writes, before the assessment. */
  collectRssMb: number;
  /** Largest V8 heap in use seen by a 50 ms sampler over the phase (JS objects; DuckDB's memory is not in it). */
  peakHeapMb: number;
  /** CPU time of this process during the phase (user + system: V8, GC and DuckDB threads; not the simulators'). */
  cpuMs: number;
  cpuUsPerRun: number;
  platforms: PlatformRow[];
  budgets: BudgetRow[];
}

async function chains(report: AuditReport): Promise<Chain[]> {
  const plans = report.scopes.map((s) => {
    if (!s.window) throw new Error(`${s.platform}: the cycle reported no window`);
    return plan(s.platform as BenchPlatform, { start: new Date(s.window.start), end: new Date(s.window.end) });
  });
  const counts = await ask<number[]>({ cmd: 'count', queries: plans.flatMap((p) => p.flat().map((l) => l.query)) });
  let k = 0;
  return plans.map((stages, i) => {
    const n = stages.flat().length;
    const chain = chainOf(report.scopes[i]!.platform as BenchPlatform, stages, counts.slice(k, k + n));
    k += n;
    return chain;
  });
}

async function measure(phase: string, config: AuditConfig, store: Awaited<ReturnType<typeof openDuckDbStore>>): Promise<PhaseRow> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const done = new Map<string, number>();
  let peakHeap = 0;
  const sample = () => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed));
  const sampler = setInterval(sample, 50);
  let collectRss = 0;
  const onProgress = (e: ProgressEvent) => {
    if (e.type !== 'scope-done') return;
    done.set(e.platform, performance.now() - t0);
    if (done.size === config.scopes.length) collectRss = process.resourceUsage().maxRSS;
  };
  const report = await runAudit(config, { store, onProgress, dryRun: values['dry-run'] }).finally(() => clearInterval(sampler));
  sample();
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  const broken = report.scopes.filter((s) => !s.complete).map((s) => `${s.platform}: ${s.error ?? s.incomplete.join('; ')}`);
  if (broken.length > 0) throw new Error(`${phase}: the cycle was incomplete: ${broken.join(' | ')}`);
  const rows = (await chains(report)).map((c): PlatformRow => {
    const s = report.scopes.find((x) => x.platform === c.platform)!;
    return { platform: c.platform, runs: s.runsSeen, requests: s.requests, chunks: c.chunks, chainPages: c.pages, listingPages: c.listingPages, lowerBoundMs: c.pages * latencyMs, wallMs: done.get(c.platform) ?? wallMs };
  });
  const lowerBoundMs = Math.max(...rows.map((r) => r.lowerBoundMs));
  const runs = report.totals.runsSeen;
  const budgets = rows.map((r) => budgetRow(r.platform, r.requests, r.wallMs / 1000));
  return { phase, runs, requests: report.totals.requests, wallMs, lowerBoundMs, ratio: wallMs / lowerBoundMs, peakRssMb, collectRssMb: collectRss / 1024, peakHeapMb: peakHeap / 2 ** 20, cpuMs, cpuUsPerRun: (cpuMs * 1000) / Math.max(1, runs), platforms: rows, budgets };
}

async function main(): Promise<PhaseRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'pa-bench-'));
  try {
    const spec = (runs: number, spanDays: number, seed: number): DataSpec => ({ platforms, runs, jobs, days: spanDays, now: new Date().toISOString(), seed });
    const started = await ask<Started>({ cmd: 'start', latencyMs, ...spec(Math.ceil(totalRuns / platforms.length), days, 1) });
    const dbPath = join(dir, 'bench.duckdb');
    const store = await openDuckDbStore(dbPath);
    try {
      await store.migrate();
      const config = configFor(started, dbPath);
      const full = await measure(`full cycle: ${platforms.length} platform(s), ${days} days`, config, store);
      // Steady state: the same servers (same scopes, so the coverage just recorded applies) now serve 15 minutes
      // of new runs of `jobs` jobs; the cycle reads from its coverage (minus the overlap) to now.
      await ask({ cmd: 'steady', ...spec(steadyRuns, 15 / 1440, 2) });
      const steady = await measure(`steady state: ${jobs} jobs, 15 min of new runs`, config, store);
      return [full, steady];
    } finally {
      await store.close();
    }
  } finally {
    await ask({ cmd: 'stop' }).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

function print(rows: PhaseRow[]): void {
  const s = (ms: number) => (ms / 1000).toFixed(1);
  const out = [
    `pipeline-audit cycle benchmark: ${totalRuns} runs over ${platforms.join(', ')} (${days} days), ${latencyMs} ms latency a request, Node ${process.version}`,
    '',
    'phase | runs | HTTP requests | wall s | lower bound s | ratio | peak RSS MB | of it by collection end MB | peak heap MB | tool CPU s | tool CPU µs a run',
    ...rows.map((r) => `${r.phase} | ${r.runs} | ${r.requests} | ${s(r.wallMs)} | ${s(r.lowerBoundMs)} | ${r.ratio.toFixed(2)} | ${r.peakRssMb.toFixed(0)} | ${r.collectRssMb.toFixed(0)} | ${r.peakHeapMb.toFixed(0)} | ${s(r.cpuMs)} | ${r.cpuUsPerRun.toFixed(0)}`),
    '',
    'phase / platform | runs | HTTP requests | chunks | chained pages | listing pages | lower bound s | done after s',
    ...rows.flatMap((r) => r.platforms.map((p) => `${r.phase.split(':')[0]} / ${p.platform} | ${p.runs} | ${p.requests} | ${p.chunks} | ${p.chainPages} | ${p.listingPages} | ${s(p.lowerBoundMs)} | ${s(p.wallMs)}`)),
    '',
    'vendor budget: phase / platform | requests | over s | busiest window vs budget | budget',
    ...rows.flatMap((r) =>
      r.budgets.map((b) => {
        const budget = BUDGETS[b.platform];
        return `${r.phase.split(':')[0]} / ${b.platform} | ${b.requests} | ${s(b.seconds * 1000)} | ${(100 * b.share).toFixed(1)} % | ${budget.requests} per ${budget.windowS} s: ${budget.source}`;
      }),
    ),
  ];
  process.stdout.write(out.join('\n') + '\n');
}

/** `--series`: each run count in its own process (a high-water mark cannot go down), one table of all. */
async function series(counts: number[]): Promise<void> {
  const self = fileURLToPath(import.meta.url);
  const pass = process.argv.slice(2).filter((a, i, all) => a !== '--series' && all[i - 1] !== '--series' && !a.startsWith('--series=') && a !== '--json');
  const out: { runs: number; rows: PhaseRow[] }[] = [];
  for (const n of counts) {
    const text = await new Promise<string>((resolve, reject) => {
      // spawn, not fork: an IPC channel to this process would keep the child alive after it printed its figures.
      const c = spawn(process.execPath, [self, ...pass.filter((a, i, all) => a !== '--runs' && all[i - 1] !== '--runs'), '--runs', String(n), '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
      let buf = '';
      c.stdout!.on('data', (d: Buffer) => (buf += d.toString()));
      c.on('exit', (code) => (code === 0 ? resolve(buf) : reject(new Error(`--runs ${n}: exit ${code}`))));
    });
    out.push({ runs: n, rows: (JSON.parse(text) as { rows: PhaseRow[] }).rows });
    process.stderr.write(`series: ${n} runs done\n`);
  }
  if (values.json) return void process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  const lines = [
    `pipeline-audit memory series: ${platforms.join(', ')}, ${latencyMs} ms latency, Node ${process.version}, each size in its own process`,
    '',
    'runs asked | runs seen | wall s | lower bound s | ratio | peak RSS MB | of it by collection end MB | peak heap MB | tool CPU µs a run | steady-state wall s',
    ...out.map(({ runs, rows: [full, steady] }) => `${runs} | ${full!.runs} | ${(full!.wallMs / 1000).toFixed(1)} | ${(full!.lowerBoundMs / 1000).toFixed(1)} | ${full!.ratio.toFixed(2)} | ${full!.peakRssMb.toFixed(0)} | ${full!.collectRssMb.toFixed(0)} | ${full!.peakHeapMb.toFixed(0)} | ${full!.cpuUsPerRun.toFixed(0)} | ${(steady!.wallMs / 1000).toFixed(1)}`),
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

if (values.series) {
  series(values.series.split(',').map((v) => Math.round(positive('series', v)))).catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
} else main().then(
  (rows) => {
    if (values.json) process.stdout.write(JSON.stringify({ runs: totalRuns, latencyMs, days, platforms, node: process.version, rows }, null, 2) + '\n');
    else print(rows);
  },
  (e: unknown) => {
    console.error(e);
    process.exitCode = 1;
    child?.kill();
  },
);
