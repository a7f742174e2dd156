// The CLI spawned as a user would run it (through tsx, so that the tests need no build step), against the
// Databricks simulator on 127.0.0.1 and DuckDB files in a temp dir.
import { existsSync, mkdtempSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { generateDatabricksData } from '../../sim/databricks-data.js';
import { startDatabricksSimulator, type DatabricksSimulator } from '../../sim/databricks.js';
import { PLATFORMS } from '../../normalize/schema.js';
import { runCli } from '../helpers/cli.js';

// Each test spawns the CLI several times (a Node start and the modules each time): on a busy 2-core machine that
// can pass 30 s. A hang guard, not a time assertion.
jest.setTimeout(120_000);

const TOKEN = 'dapi-cli-test-token-abcdef0123456789';
const dir = mkdtempSync(join(tmpdir(), 'pa-cli-'));
let sim: DatabricksSimulator;
const cli = (args: string[], env: Record<string, string> = {}, cwd = dir) => runCli(args, env, cwd);

const dbEnv = (db: string) => ({ DATABRICKS_HOST: sim.url, DATABRICKS_TOKEN: TOKEN, PIPELINE_AUDIT_DUCKDB_PATH: join(dir, db), PIPELINE_AUDIT_HTTP_RETRIES: '1' });

beforeAll(async () => {
  sim = await startDatabricksSimulator({ data: generateDatabricksData({ now: new Date(), seed: 3, jobs: 10, runs: 60, days: 1 }), token: TOKEN });
});
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('pipeline-audit CLI', () => {
  it('prints help for each command and exits 0', async () => {
    for (const cmd of [['--help'], ['demo', '--help'], ['doctor', '--help'], ['config', 'check', '--help'], ['init', '--help'], ['assess', '--help']]) {
      const r = await cli(cmd);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Usage: pipeline-audit/);
    }
  });

  it('exits 2 with every configuration problem named when a listed platform has an empty secret', async () => {
    const r = await cli(['run'], { PIPELINE_AUDIT_PLATFORMS: 'databricks,airbyte', DATABRICKS_HOST: sim.url, DATABRICKS_TOKEN: '', AIRBYTE_API_KEY: '' });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/DATABRICKS/);
    expect(r.stderr).toMatch(/AIRBYTE/);
  });

  it('assess --dry-run reads the store a run wrote and writes nothing; without --dry-run it is a usage error', async () => {
    const env = dbEnv('assess.duckdb');
    expect((await cli(['run'], env)).code).toBe(0);
    const r = await cli(['assess', '--dry-run', '--json'], env);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { health: { persisted: boolean; assessment: { source: string } } };
    expect(out.health).toMatchObject({ persisted: false, assessment: { source: 'fallback' } });
    const bad = await cli(['assess'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/only --dry-run/);
  });

  it('config check shows which team owns which stored job', async () => {
    const env = dbEnv('teams.duckdb');
    expect((await cli(['run'], env)).code).toBe(0);
    const cfgDir = join(dir, 'teams-cfg');
    mkdirSync(cfgDir, { recursive: true });
    const file = join(cfgDir, 'pipeline-audit.config.json');
    writeFileSync(file, JSON.stringify({ teams: [{ name: 'orders', email: ['orders@example.com'], timezone: 'Europe/Berlin', match: [{ job: '*orders*' }] }], defaultTeam: { name: 'data', email: ['data@example.com'] } }));
    const r = await cli(['config', 'check', '--config', file, '--json'], env);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { teams: { name: string; jobs: string[] }[] };
    const orders = out.teams.find((t) => t.name === 'orders')!;
    const data = out.teams.find((t) => t.name === 'data')!;
    expect(orders.jobs.length).toBeGreaterThan(0);
    expect(orders.jobs.every((j) => /orders/.test(j))).toBe(true);
    expect(data.jobs.some((j) => /orders/.test(j))).toBe(false);
    const text = await cli(['config', 'check', '--config', file], env);
    expect(text.stdout).toMatch(/team {4}orders: orders@example.com, Europe\/Berlin; owns \d+ known job/);
  });

  it('config check lists what would be monitored without printing secrets', async () => {
    const r = await cli(['config', 'check'], dbEnv('cfg.duckdb'));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`monitor databricks`);
    expect(r.stdout).toContain(new URL(sim.url).host);
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
  });

  it('run --json prints only the report on stdout, logs on stderr, and stores the runs', async () => {
    const r = await cli(['run', '--json', '--output', join(dir, 'report.json')], dbEnv('run.duckdb'));
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { outcome: string; totals: { runsSeen: number; runsWritten: number }; scopes: { complete: boolean }[] };
    expect(report.outcome).toBe('ok');
    expect(report.totals.runsSeen).toBeGreaterThan(0);
    expect(report.totals.runsWritten).toBe(report.totals.runsSeen);
    expect(existsSync(join(dir, 'report.json'))).toBe(true);
    // Logs are JSON lines on stderr when it is not a terminal.
    const logLines = r.stderr.split('\n').filter(Boolean);
    expect(logLines.length).toBeGreaterThan(0); // the platforms not monitored are logged, so there is always a line
    for (const line of logLines) expect((JSON.parse(line) as { level: unknown }).level).toEqual(expect.any(Number));
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
  });

  it('reads secrets from a .env file in the working directory, and --platform narrows the cycle', async () => {
    const cwd = join(dir, 'with-env');
    mkdirSync(cwd);
    writeFileSync(join(cwd, '.env'), `DATABRICKS_HOST=${sim.url}\nDATABRICKS_TOKEN=${TOKEN}\nPIPELINE_AUDIT_DUCKDB_PATH=${join(dir, 'env.duckdb')}\n`);
    const r = await cli(['run', '--json', '--platform', 'databricks'], {}, cwd);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { scopes: { platform: string; complete: boolean }[] };
    expect(report.scopes).toEqual([expect.objectContaining({ platform: 'databricks', complete: true })]);
    const bad = await cli(['run', '--platform', 'nonsense'], {}, cwd);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--platform: unknown platform 'nonsense'/);
  });

  it('run --dry-run collects but writes nothing', async () => {
    const r = await cli(['run', '--dry-run'], dbEnv('dry.duckdb'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/dry run/);
    expect(existsSync(join(dir, 'dry.duckdb'))).toBe(false);
  });

  it('run --now runs the cycle on a fixed clock at that instant', async () => {
    const fixed = new Date(Math.floor(Date.now() / 60_000) * 60_000).toISOString();
    const r = await cli(['run', '--dry-run', '--json', '--now', fixed], dbEnv('now.duckdb'));
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { startedAt: string; endedAt: string; dryRun: boolean };
    expect([report.startedAt, report.endedAt, report.dryRun]).toEqual([fixed, fixed, true]);
  });

  it('exits 0 when a platform is down, reporting it as a blind spot', async () => {
    const r = await cli(['run'], { ...dbEnv('down.duckdb'), DATABRICKS_HOST: 'http://127.0.0.1:9' });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Blind spots \(1\)/);
  });

  it('exits 3 when the store cannot be written', async () => {
    const blocker = join(dir, 'not-a-dir');
    mkdirSync(blocker);
    const r = await cli(['run'], { ...dbEnv('x.duckdb'), PIPELINE_AUDIT_DUCKDB_PATH: join(blocker, 'missing', 'audit.duckdb') });
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/NOT WRITABLE/);
  });

  it('doctor checks each scope and the store, one line each, with the fix', async () => {
    const env = dbEnv('doctor.duckdb');
    // Before the first run the store does not exist yet: fine, and said so.
    const before = await cli(['doctor'], env);
    expect(before.code).toBe(0);
    expect(before.stdout).toMatch(/ok +databricks .*jobs visible/);
    expect(before.stdout).toMatch(/ok +store duckdb .*does not exist yet.*creates it/);
    expect(existsSync(join(dir, 'doctor.duckdb'))).toBe(false);
    await cli(['run'], env);
    const after = await cli(['doctor', '--json'], env);
    expect(after.code).toBe(0);
    expect((JSON.parse(after.stdout) as { ok: boolean }).ok).toBe(true);
    const bad = await cli(['doctor'], { ...env, DATABRICKS_TOKEN: 'dapi-wrong-token-000000000000000' });
    expect(bad.code).toBe(5);
    expect(bad.stdout).toMatch(/FAIL +databricks/);
    expect(bad.stdout).toMatch(/fix: /);
    const nowhere = await cli(['doctor'], { ...env, PIPELINE_AUDIT_DUCKDB_PATH: join(dir, 'report.json', 'x.duckdb') });
    expect(nowhere.code).toBe(5);
    expect(nowhere.stdout).toMatch(/FAIL +store duckdb .*cannot be created/);
  });

  it('with nothing to monitor, run, doctor and config check exit 2 naming what to set and the likely misspellings', async () => {
    for (const cmd of [['run'], ['config', 'check'], ['doctor']]) {
      const r = await cli(cmd, { DATABRICKS_HOTS: sim.url, DATABRICKS_TOKN: TOKEN, PIPELINE_AUDIT_DUCKDB_PATH: join(dir, 'none.duckdb') });
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/no platform to monitor/);
      expect(r.stderr).toMatch(/DATABRICKS_HOST with DATABRICKS_TOKEN/);
      expect(r.stderr).toMatch(/pipeline-audit demo/);
      expect(r.stderr).toContain('unknown variable DATABRICKS_HOTS (did you mean DATABRICKS_HOST?)');
      expect(r.stderr).toContain('unknown variable DATABRICKS_TOKN (did you mean DATABRICKS_TOKEN?)');
      expect(r.stderr).not.toContain(TOKEN);
    }
    expect(existsSync(join(dir, 'none.duckdb'))).toBe(false);
  });

  it('config check says when an exported empty variable hides the value in .env, and flags unknown variables', async () => {
    const cwd = join(dir, 'empty-shadow');
    mkdirSync(cwd);
    writeFileSync(join(cwd, '.env'), `DATABRICKS_HOST=${sim.url}\nDATABRICKS_TOKEN=${TOKEN}\n`);
    const hidden = await cli(['config', 'check'], { DATABRICKS_TOKEN: '' }, cwd);
    expect(hidden.code).toBe(2);
    expect(hidden.stderr).toMatch(/DATABRICKS_TOKEN is set but empty in the environment, which hides its value in \.env/);
    const ok = await cli(['config', 'check'], { ...dbEnv('cfg2.duckdb'), PIPELINE_AUDIT_MAX_PAGE: '5' });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('warning unknown variable PIPELINE_AUDIT_MAX_PAGE (did you mean PIPELINE_AUDIT_MAX_PAGES?)');
  });

  it('rejects options a command does not have, and invalid values, with exit 2 and nothing written', async () => {
    const store = join(dir, 'never.duckdb');
    const cases: [string[], RegExp][] = [
      [['run', '--store', store], /run: unknown option --store \(it belongs to demo\)/],
      [['demo', '--dry-run', '--store', store], /demo: unknown option --dry-run/],
      [['demo', '--runs', 'abc', '--store', store], /--runs: 'abc' is not a whole number/],
      [['demo', '--config', 'x.json', '--store', store], /demo: unknown option --config/],
      [['run', '--since', 'yesterday-ish'], /--since: 'yesterday-ish' is neither/],
      [['run', '--log-level', 'loud'], /--log-level: 'loud' is not one of debug, info, warn, error/],
      [['run', 'extra'], /unexpected argument 'extra'/],
      [['nonsense'], /unknown command 'nonsense'/],
      [['config', 'show'], /config show/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(args, dbEnv('never.duckdb'));
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
    }
    expect(existsSync(store)).toBe(false);
    const bad = await cli(['run'], { ...dbEnv('never.duckdb'), PIPELINE_AUDIT_LOG_LEVEL: 'verbose' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/PIPELINE_AUDIT_LOG_LEVEL/);
    const help = await cli(['demo', '--help']);
    expect(help.stdout).toMatch(/--runs N/);
    expect(help.stdout).not.toMatch(/--config|--dry-run|--platform/);
  });

  it('names the cause of an unreachable host instead of the wrapper error class', async () => {
    const r = await cli(['run', '--json'], { ...dbEnv('unreachable.duckdb'), DATABRICKS_HOST: 'http://127.0.0.1:1' });
    const report = JSON.parse(r.stdout) as { scopes: { error: string | null }[] };
    expect(report.scopes[0]!.error).toMatch(/failed before a response \(fetch failed: bad port\)/);
    expect(report.scopes[0]!.error).not.toMatch(/\(TypeError\)/);
  });

  it('demo runs the collectors against simulated platforms and stores idempotently', async () => {
    const store = join(dir, 'demo.duckdb');
    const first = await cli(['demo', '--store', store, '--json']);
    expect(first.code).toBe(0);
    const a = JSON.parse(first.stdout) as { storedRuns: number; report: { totals: { runsSeen: number; failedRuns: number }; scopes: { platform: string }[] } };
    expect(a.report.totals.runsSeen).toBeGreaterThan(0);
    expect(a.report.totals.failedRuns).toBeGreaterThan(0);
    expect(new Set(a.report.scopes.map((s) => s.platform))).toEqual(new Set(PLATFORMS));
    const second = await cli(['demo', '--store', store, '--json']);
    expect(second.code).toBe(0);
    const b = JSON.parse(second.stdout) as typeof a;
    expect(b.storedRuns).toBe(a.storedRuns);
    // The second demo re-reads the same week: the same runs and failures, nothing added, nothing changed.
    expect(b.report.totals.failedRuns).toBe(a.report.totals.failedRuns);
    const scopes = (b.report as unknown as { scopes: { runsInserted: number; runsUpdated: number }[] }).scopes;
    expect(scopes.map((s) => [s.runsInserted, s.runsUpdated])).toEqual(scopes.map(() => [0, 0]));
    // The simulated week's incidents, routed to two teams and delivered to the outbox once: nothing new the second time.
    type Health = { health: { open: { critical: number; warning: number }; plan: { team: string; notices: number }[]; assessment: { source: string }; deliveries?: { team: string; status: string; files?: string[] }[]; incidents: { kind: string }[] } };
    const ha = (a.report as unknown as Health).health;
    const hb = (b.report as unknown as Health).health;
    expect(ha.open.critical + ha.open.warning).toBeGreaterThan(3);
    expect(ha.incidents.map((i) => i.kind)).toEqual(expect.arrayContaining(['failed', 'suspended']));
    expect(ha.plan.map((p) => p.team).sort()).toEqual(['data-support', 'integration']);
    expect(ha.assessment.source).toBe('fallback');
    expect(ha.deliveries!.map((d) => [d.team, d.status]).sort()).toEqual([['data-support', 'sent'], ['integration', 'sent']]);
    expect(ha.deliveries!.every((d) => d.files!.some((f) => f.endsWith('.eml') && existsSync(f)))).toBe(true);
    expect(hb.plan).toEqual([]);
    expect(hb.deliveries).toBeUndefined();
    expect(hb.open).toEqual(ha.open);
  });

  it('demo text says what ok means and what to run next, and marks the simulated links', async () => {
    const text = await cli(['demo', '--store', join(dir, 'demo-text.duckdb'), '--runs', '20']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/What "ok" means/);
    expect(text.stdout).toMatch(/npx pipeline-audit doctor/);
    expect(text.stdout).toMatch(/\(simulated link\)/);
    expect(text.stdout).not.toMatch(/\| SUCCESS\b/);
  });
});
