// Every figure of issue 11 in one run, each against its target: the cycle's memory series (20,000 / 100,000 /
// 500,000 runs: ratio, peak RSS, CPU a run, steady-state wall), one DuckDB upsert of 100,000 runs, the Snowflake
// statements of a whole cycle (emulator), `--help`, `demo`, and a fresh runner (clone, `npm ci`, build, two cycles).
// Each part runs in a process of its own (a peak RSS is a per-process high-water mark). After `npm run build`:
//   node dist/bench/all.js [--series 20000,100000,500000] [--latency 50] [--no-fresh] [--json]
// The 500,000-run cycle takes about three minutes and the fresh runner half a minute: some six minutes in all.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    series: { type: 'string', default: '20000,100000,500000' },
    latency: { type: 'string', default: '50' },
    'no-fresh': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const cli = join(here, '..', 'bin', 'pipeline-audit.js');

/** Runs a command, resolves with its stdout and its wall seconds; stderr goes to ours (progress lines). */
function run(cmd: string, args: string[], opts: { cwd?: string; quiet?: boolean } = {}): Promise<{ out: string; seconds: number }> {
  const t = performance.now();
  return new Promise((resolve, reject) => {
    const c = spawn(cmd, args, { cwd: opts.cwd ?? root, stdio: ['ignore', 'pipe', opts.quiet ? 'ignore' : 'inherit'] });
    let out = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.on('error', reject);
    c.on('exit', (code) => (code === 0 ? resolve({ out, seconds: (performance.now() - t) / 1000 }) : reject(new Error(`${cmd} ${args.join(' ')}: exit ${code}`))));
  });
}
const node = (script: string, args: string[], opts: { cwd?: string; quiet?: boolean } = {}) => run(process.execPath, [script, ...args], opts);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Figure {
  figure: string;
  measured: string;
  target: string;
  met: boolean | null;
}

interface PhaseRow {
  runs: number;
  wallMs: number;
  lowerBoundMs: number;
  ratio: number;
  peakRssMb: number;
  cpuUsPerRun: number;
}

async function main(): Promise<void> {
  const figures: Figure[] = [];
  const loads: string[] = [];
  const load = () => loads.push(readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '));
  load();

  const sizes = values.series.split(',').map(Number);
  const series = JSON.parse((await node(join(here, 'cycle.js'), ['--series', values.series, '--latency', values.latency, '--json'])).out) as { runs: number; rows: [PhaseRow, PhaseRow] }[];
  load();
  const rss = series.map((s) => s.rows[0].peakRssMb);
  const fmt = (xs: number[], d = 0) => xs.map((x) => x.toFixed(d)).join(' / ');
  figures.push({ figure: `peak RSS, ${sizes.join(' / ')} runs (MB)`, measured: fmt(rss), target: '≤ 250, flat', met: rss.every((r) => r <= 250) });
  const ratios = series.map((s) => s.rows[0].ratio);
  figures.push({ figure: `backfill wall ÷ pagination lower bound, ${latencyText()}`, measured: fmt(ratios, 2), target: '≤ 1.15', met: ratios.every((r) => r <= 1.15) });
  const cpu = series.map((s) => s.rows[0].cpuUsPerRun);
  figures.push({ figure: 'tool CPU a run (µs: JS, GC and DuckDB threads)', measured: fmt(cpu), target: '≤ 60', met: cpu.every((c) => c <= 60) });
  figures.push({ figure: 'steady-state cycle wall (s), after each backfill', measured: fmt(series.map((s) => s.rows[1].wallMs / 1000), 1), target: 'report it', met: null });

  const store = JSON.parse((await node(join(here, 'store.js'), ['--stores', 'duckdb', '--sizes', '100000', '--repeat', '3', '--json'])).out) as { results: { fastestS: number; medianS: number }[] };
  load();
  const up = store.results[0]!;
  figures.push({ figure: 'DuckDB upsert of 100,000 runs (s, fastest / median of 3)', measured: `${up.fastestS.toFixed(2)} / ${up.medianS.toFixed(2)}`, target: '≤ 1.5', met: up.fastestS <= 1.5 });

  const st = JSON.parse((await node(join(here, 'statements.js'), ['--big', '100000', '--json'])).out) as { cycles: { label: string; total: number }[]; big: { statements: number } | null };
  load();
  const steady = st.cycles.filter((c) => /steady/i.test(c.label));
  figures.push({ figure: `Snowflake statements a steady-state cycle (${steady.map((c) => c.label).join(' / ')})`, measured: steady.map((c) => c.total).join(' / '), target: '≤ 12', met: steady.every((c) => c.total <= 12) });
  figures.push({ figure: 'Snowflake statements, one upsert of 100,000 runs', measured: String(st.big?.statements ?? '—'), target: 'report it', met: null });

  const help: number[] = [];
  for (let i = 0; i < 5; i++) help.push((await node(cli, ['--help'], { quiet: true })).seconds);
  figures.push({ figure: '`pipeline-audit --help` (s, median of 5)', measured: median(help).toFixed(2), target: '≤ 0.15', met: median(help) <= 0.15 });

  const dir = mkdtempSync(join(tmpdir(), 'pa-bench-all-'));
  try {
    const demo = await node(cli, ['demo', '--store', join(dir, 'demo.duckdb')], { cwd: dir, quiet: true }); // its log lines are the demo's, not figures
    figures.push({ figure: '`demo` (s, a first cycle with the assessment)', measured: demo.seconds.toFixed(1), target: '≤ 3', met: demo.seconds <= 3 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  load();

  if (!values['no-fresh']) {
    const fresh = (await run('bash', [join(root, 'bench', 'fresh-runner.sh'), root])).out;
    const total = Number(/^total[^|]*\| ([\d.]+)/m.exec(fresh)?.[1] ?? NaN);
    const size = /^node_modules \| (.+)$/m.exec(fresh)?.[1] ?? '?';
    figures.push({ figure: 'fresh runner: clone + `npm ci` (warm cache) + build + 2 cycles (s)', measured: total.toFixed(1), target: '≤ 45', met: total <= 45 });
    figures.push({ figure: 'installed size (with the dev tools a build needs)', measured: size, target: 'report it', met: null });
    load();
  }

  if (values.json) return void process.stdout.write(JSON.stringify({ node: process.version, loads, figures }, null, 2) + '\n');
  const lines = [
    `pipeline-audit: every figure of issue 11 in one run (Node ${process.version}; load average before and after each part: ${loads.join(' → ')})`,
    '',
    'figure | measured | target | met',
    ...figures.map((f) => `${f.figure} | ${f.measured} | ${f.target} | ${f.met === null ? '—' : f.met ? 'yes' : 'NO'}`),
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

function latencyText(): string {
  return `${values.latency} ms a request`;
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
