// Splits a CPU profile of the cycle benchmark (`node --cpu-prof dist/bench/cycle.js ...`) into the cycle's stages:
// each sample is charged to the innermost frame that names a stage, so redaction inside validation counts as
// redaction, and a zod call inside a collector's boundary parse counts as that parse. Samples outside every stage
// (timers, promise plumbing, module loading) are `other`. DuckDB's own threads (read_json parsing, MERGE) are not
// in a V8 profile: bench/store.ts times those. Run: node dist/bench/profile-stages.js <file.cpuprofile> [--runs N]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface Frame { functionName: string; url: string }
interface Node { id: number; callFrame: Frame; children?: number[] }
interface Profile { nodes: Node[]; samples: number[]; timeDeltas: number[] }

const STAGES: [stage: string, test: (f: Frame) => boolean][] = [
  ['redaction', (f) => f.url.endsWith('/normalize/redact.js') || f.url.endsWith('/normalize/secret-patterns.js')],
  ['well-formed text', (f) => f.url.endsWith('/normalize/text.js')],
  ['one clean pass (text + redaction)', (f) => f.url.endsWith('/normalize/clean.js')],
  ['boundary parse (vendor zod schemas)', (f) => f.url.endsWith('/collectors/parse.js')],
  ['normalization', (f) => /\/normalize\/(databricks|airbyte|powerautomate|snowflake-tasks|order)\.js$/.test(f.url)],
  ['validation (RunSchema)', (f) => f.functionName === 'toRuns' || f.functionName === 'validateRuns'],
  ['staging (rows, NDJSON, file)', (f) => f.url.endsWith('/sinks/store/tables.js') || (f.url.endsWith('/sinks/store/duckdb.js') && f.functionName === 'stage')],
  ['store calls (DuckDB binding)', (f) => f.url.endsWith('/sinks/store/duckdb.js') || f.url.includes('@duckdb/')],
  ['HTTP + JSON parsing', (f) => f.url.includes('/connect/') || f.url.includes('/undici/') || f.url.startsWith('node:internal/deps/undici')],
  ['collectors (paging, plumbing)', (f) => f.url.includes('/collectors/')],
  ['garbage collection', (f) => f.functionName === '(garbage collector)'],
  ['idle', (f) => f.functionName === '(idle)'],
];

const { values, positionals } = parseArgs({ allowPositionals: true, options: { runs: { type: 'string' } } });
const file = positionals[0];
if (!file) throw new Error('usage: profile-stages <file.cpuprofile> [--runs N]');
const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const stageOf = new Map<number, string>();
function classify(id: number): string {
  const known = stageOf.get(id);
  if (known) return known;
  let cur: number | undefined = id;
  let stage = 'other';
  while (cur !== undefined) {
    const f = byId.get(cur)!.callFrame;
    const hit = STAGES.find(([, test]) => test(f));
    if (hit) {
      stage = hit[0];
      break;
    }
    cur = parent.get(cur);
  }
  stageOf.set(id, stage);
  return stage;
}
const total = new Map<string, number>();
let all = 0;
p.samples.forEach((id, i) => {
  const d = p.timeDeltas[i] ?? 0;
  all += d;
  const s = classify(id);
  total.set(s, (total.get(s) ?? 0) + d);
});
const runs = values.runs ? Number(values.runs) : 0;
const busy = all - (total.get('idle') ?? 0);
console.log(`stage | ms | share of busy${runs ? ' | µs a run' : ''}`);
for (const [s, us] of [...total].sort((a, b) => b[1] - a[1])) {
  console.log(`${s} | ${(us / 1000).toFixed(0)} | ${s === 'idle' ? '' : `${((100 * us) / busy).toFixed(1)} %`}${runs ? ` | ${s === 'idle' ? '' : (us / runs).toFixed(1)}` : ''}`);
}
console.log(`busy (all but idle) | ${(busy / 1000).toFixed(0)} | 100 %${runs ? ` | ${(busy / runs).toFixed(1)}` : ''}`);
