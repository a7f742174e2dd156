// Child process of the cycle benchmark: the simulated platforms live here, so that the benchmark's peak RSS
// measures the cycle (collectors, normalization, store), not the simulators and their data. Driven over IPC by
// bench/cycle.ts: `start` (a week of history), `steady` (the same servers, fresh data: 15 minutes of new runs),
// `count` (items a listing matches, for the pagination lower bound), `stop`.
import { generateAirbyteData, type SimJob as AirbyteJob } from '../sim/airbyte-data.js';
import { selectJobs } from '../sim/airbyte-query.js';
import { startAirbyteSimulator, type AirbyteSimulator } from '../sim/airbyte.js';
import { generateDatabricksData, type SimData as DatabricksData, type SimRun } from '../sim/databricks-data.js';
import { startDatabricksSimulator, type DatabricksSimulator } from '../sim/databricks.js';
import { generateDataverseData, type DataverseSimData } from '../sim/dataverse-data.js';
import { startDataverseSimulator, type DataverseSimulator } from '../sim/dataverse.js';
import { startEntraSimulator, type EntraSimulator } from '../sim/entra.js';

export type BenchPlatform = 'databricks' | 'airbyte' | 'powerautomate';
export const BENCH_PLATFORMS: readonly BenchPlatform[] = ['databricks', 'airbyte', 'powerautomate'];

export interface DataSpec {
  platforms: BenchPlatform[];
  /** Runs per platform inside the window. */
  runs: number;
  jobs: number;
  /** The runs are spread over this many days before `now`. */
  days: number;
  now: string;
  seed: number;
}
export type Request =
  | ({ cmd: 'start'; latencyMs: number } & DataSpec)
  | ({ cmd: 'steady' } & DataSpec)
  | { cmd: 'count'; queries: CountQuery[] }
  | { cmd: 'stop' };

export interface Started {
  databricks?: { url: string };
  airbyte?: { url: string };
  powerautomate?: { url: string; apiUrl: string; entra: { authorityHost: string; caPem: string; tenantId: string; clientId: string; clientSecret: string } };
}

/** One listing of the vendor API, by its filters (times in ms since the epoch, bounds inclusive as the APIs read them). */
export type CountQuery =
  | { platform: 'databricks'; what: 'jobs' }
  | { platform: 'databricks'; what: 'runs'; activeOnly: true }
  | { platform: 'databricks'; what: 'runs'; from: number; to: number }
  | { platform: 'airbyte'; what: 'connections' }
  | { platform: 'airbyte'; what: 'jobs'; from: number; to: number }
  | { platform: 'powerautomate'; what: 'flows' }
  | { platform: 'powerautomate'; what: 'runs'; from: number; to: number };

const DAY = 86_400_000;
// History goes on before the benchmark's window, as on a real workspace: the Databricks collector's reach-back
// (48 h before its first window: runs/list filters on start time) reads real pages there.
const DATABRICKS_DAYS_BEFORE = 2;

let dbx: { sim: DatabricksSimulator; data: DatabricksData } | undefined;
let ab: { sim: AirbyteSimulator; byUpdated: AirbyteJob[] } | undefined;
let dv: { sim: DataverseSimulator; data: DataverseSimData } | undefined;
let entra: EntraSimulator | undefined;

function databricksData(m: DataSpec): DatabricksData {
  if (m.days < 1) {
    // The generator spreads runs over one day at least: generate a day at this rate and keep the span asked for.
    const now = Date.parse(m.now);
    const day = generateDatabricksData({ now: new Date(now), seed: m.seed, jobs: m.jobs, runs: Math.round(m.runs / m.days), days: 1 });
    return { jobs: day.jobs, runs: day.runs.filter((r) => (r.start_time ?? 0) >= now - m.days * DAY) };
  }
  const days = m.days + DATABRICKS_DAYS_BEFORE;
  return generateDatabricksData({ now: new Date(m.now), seed: m.seed, jobs: m.jobs, runs: Math.round((m.runs * days) / m.days), days });
}
// The connections depend on the seed and their count only, so a steady-state dataset keeps the same ones.
const airbyteData = (m: DataSpec, seed: number) => generateAirbyteData({ now: new Date(m.now), seed, connections: Math.max(4, m.jobs), jobs: m.runs, days: m.days });
const dataverseData = (m: DataSpec) => generateDataverseData({ now: new Date(m.now), seed: m.seed + 2, flows: Math.max(4, m.jobs), runs: m.runs, days: m.days });
const sortByUpdated = (jobs: readonly AirbyteJob[]) => [...jobs].sort((a, b) => b.updatedAt - a.updatedAt || b.jobId - a.jobId);

async function stop(): Promise<void> {
  await Promise.all([dbx?.sim.close(), ab?.sim.close(), dv?.sim.close(), entra?.close()]);
  dbx = ab = dv = entra = undefined;
}

async function start(m: DataSpec & { latencyMs: number }): Promise<Started> {
  await stop();
  const out: Started = {};
  if (m.platforms.includes('databricks')) {
    const data = databricksData(m);
    dbx = { sim: await startDatabricksSimulator({ data, latencyMs: m.latencyMs }), data };
    out.databricks = { url: dbx.sim.url };
  }
  if (m.platforms.includes('airbyte')) {
    const data = airbyteData(m, m.seed + 1);
    ab = { sim: await startAirbyteSimulator({ data, latencyMs: m.latencyMs, apiKey: 'bench-key' }), byUpdated: sortByUpdated(data.jobs) };
    out.airbyte = { url: ab.sim.url };
  }
  if (m.platforms.includes('powerautomate')) {
    const data = dataverseData(m);
    entra = await startEntraSimulator();
    dv = { sim: await startDataverseSimulator({ data, latencyMs: m.latencyMs }), data };
    const e = entra;
    out.powerautomate = { url: dv.sim.url, apiUrl: dv.sim.apiUrl, entra: { authorityHost: e.authorityHost, caPem: e.caPem, tenantId: e.tenantId, clientId: e.clientId, clientSecret: e.clientSecret } };
  }
  return out;
}

/** The same servers (so the same scopes and the store's coverage apply) serve fresh data: `m.days` of new runs. */
function steady(m: DataSpec, firstSeed: number): void {
  if (dbx) {
    dbx.data = databricksData(m);
    dbx.sim.setData(dbx.data);
  }
  if (ab) {
    // Same connections (same seed and count), new jobs: replaceJobs re-indexes them, however many times.
    const jobs = airbyteData(m, firstSeed + 1).jobs;
    ab.sim.replaceJobs(jobs);
    ab.byUpdated = sortByUpdated(jobs);
  }
  if (dv) {
    dv.data = dataverseData(m);
    dv.sim.setData(dv.data);
  }
}

const ACTIVE = new Set(['QUEUED', 'PENDING', 'RUNNING', 'TERMINATING']); // runs/list active_only, as the simulator reads it
function isActive(r: SimRun): boolean {
  const status = (r.status as { state?: string } | undefined)?.state;
  const life = (r.state as { life_cycle_state?: string } | undefined)?.life_cycle_state;
  if (status) return ACTIVE.has(status);
  if (life) return ACTIVE.has(life);
  return r.end_time === 0;
}
// Dataverse $filter times as the collector writes them (whole seconds), compared as strings as the simulator does.
const odataTime = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function count(q: CountQuery): number {
  switch (q.platform) {
    case 'databricks': {
      if (!dbx) return 0;
      if (q.what === 'jobs') return dbx.data.jobs.length;
      if ('activeOnly' in q) return dbx.data.runs.filter(isActive).length;
      return dbx.data.runs.filter((r) => (r.start_time ?? 0) >= q.from && (r.start_time ?? 0) <= q.to).length;
    }
    case 'airbyte': {
      if (!ab) return 0;
      if (q.what === 'connections') return ab.sim.data.connections.length;
      const params = new URLSearchParams({ updatedAtStart: new Date(q.from).toISOString(), updatedAtEnd: new Date(q.to).toISOString() });
      return selectJobs(ab.byUpdated, 'updatedAt', true, params, 0, Number.MAX_SAFE_INTEGER).length;
    }
    case 'powerautomate': {
      if (!dv) return 0;
      if (q.what === 'flows') return dv.data.workflows.filter((w) => w.category === 5).length;
      const [from, to] = [odataTime(q.from), odataTime(q.to)];
      return dv.data.flowruns.filter((r) => String(r.modifiedon) >= from && String(r.modifiedon) <= to).length;
    }
  }
}

let firstSeed = 1;
process.on('message', (m: Request) => {
  const reply = (v: unknown) => process.send?.(v);
  const fail = (e: unknown) => reply({ error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  try {
    switch (m.cmd) {
      case 'start':
        firstSeed = m.seed;
        start(m).then(reply, fail);
        break;
      case 'steady':
        steady(m, firstSeed);
        reply({ ok: true });
        break;
      case 'count':
        reply(m.queries.map(count));
        break;
      case 'stop':
        void stop().then(() => {
          reply({ stopped: true });
          process.disconnect?.();
        });
        break;
    }
  } catch (e) {
    fail(e);
  }
});
