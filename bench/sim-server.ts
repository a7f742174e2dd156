// Child process of the benchmark: the simulated platforms live here, so that the benchmark's peak RSS measures the
// cycle (collectors, normalization, store), not the simulators' data. Driven over IPC by bench/cycle.ts.
import { generateAirbyteData } from '../collectors/sim/airbyte-data.js';
import { startAirbyteSimulator, type AirbyteSimulator } from '../collectors/sim/airbyte.js';
import { generateDatabricksData } from '../collectors/sim/databricks-data.js';
import { startDatabricksSimulator, type DatabricksSimulator } from '../collectors/sim/databricks.js';
import { generateDataverseData } from '../collectors/sim/dataverse-data.js';
import { startDataverseSimulator, type DataverseSimulator } from '../collectors/sim/dataverse.js';
import { startEntraSimulator, type EntraSimulator } from '../collectors/sim/entra.js';

export type BenchPlatform = 'databricks' | 'airbyte' | 'powerautomate';
export interface StartMessage {
  cmd: 'start';
  platforms: BenchPlatform[];
  /** Runs per platform. */
  runs: number;
  jobs: number;
  days: number;
  latencyMs: number;
  now: string;
  seed: number;
}
export interface Started {
  databricks?: { url: string; runsInWindow: number };
  airbyte?: { url: string; runsInWindow: number };
  powerautomate?: { url: string; apiUrl: string; runsInWindow: number; entra: { authorityHost: string; caPem: string; tenantId: string; clientId: string; clientSecret: string } };
}
export type Stats = Partial<Record<BenchPlatform, Record<string, number>>>;

let dbx: DatabricksSimulator | undefined;
let ab: AirbyteSimulator | undefined;
let dv: DataverseSimulator | undefined;
let entra: EntraSimulator | undefined;

async function stop(): Promise<void> {
  await Promise.all([dbx?.close(), ab?.close(), dv?.close(), entra?.close()]);
  dbx = ab = dv = entra = undefined;
}

async function start(m: StartMessage): Promise<Started> {
  await stop();
  const now = new Date(m.now);
  const out: Started = {};
  if (m.platforms.includes('databricks')) {
    // History goes on before the benchmark's window, as it does on a real workspace: the collector's reach-back
    // (48 h before its first window, which runs/list filters on start time) finds runs there, as it would.
    const before = m.days >= 1 ? 2 : 0;
    const data = generateDatabricksData({ now, seed: m.seed, jobs: m.jobs, runs: Math.round((m.runs * (m.days + before)) / m.days), days: m.days + before });
    dbx = await startDatabricksSimulator({ data, latencyMs: m.latencyMs });
    out.databricks = { url: dbx.url, runsInWindow: m.runs };
  }
  if (m.platforms.includes('airbyte')) {
    const data = generateAirbyteData({ now, seed: m.seed + 1, connections: Math.max(4, Math.min(m.jobs, 500)), jobs: m.runs, days: m.days });
    ab = await startAirbyteSimulator({ data, latencyMs: m.latencyMs, apiKey: 'bench-key' });
    out.airbyte = { url: ab.url, runsInWindow: m.runs };
  }
  if (m.platforms.includes('powerautomate')) {
    const data = generateDataverseData({ now, seed: m.seed + 2, flows: Math.max(4, Math.min(m.jobs, 500)), runs: m.runs, days: m.days });
    entra = await startEntraSimulator();
    dv = await startDataverseSimulator({ data, latencyMs: m.latencyMs });
    out.powerautomate = {
      url: dv.url,
      apiUrl: dv.apiUrl,
      runsInWindow: data.flowruns.length,
      entra: { authorityHost: entra.authorityHost, caPem: entra.caPem, tenantId: entra.tenantId, clientId: entra.clientId, clientSecret: entra.clientSecret },
    };
  }
  return out;
}

function stats(): Stats {
  return {
    ...(dbx ? { databricks: { ...dbx.stats.requests } } : {}),
    ...(ab ? { airbyte: { ...ab.stats.requests } } : {}),
    ...(dv ? { powerautomate: { ...dv.stats.requests } } : {}),
  };
}

process.on('message', (m: StartMessage | { cmd: 'stats' } | { cmd: 'stop' }) => {
  const reply = (v: unknown) => process.send?.(v);
  if (m.cmd === 'start') start(m).then(reply, (e: unknown) => reply({ error: String(e) }));
  else if (m.cmd === 'stats') reply(stats());
  else
    void stop().then(() => {
      reply({ stopped: true });
      process.disconnect?.();
    });
});
