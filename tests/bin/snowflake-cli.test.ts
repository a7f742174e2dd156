// `init` and `run` against the Snowflake store on the local emulator, the CLI spawned as a user runs it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { generateDatabricksData } from '../../sim/databricks-data.js';
import { startDatabricksSimulator, type DatabricksSimulator } from '../../sim/databricks.js';
import { startSnowflakeEmulator, type SnowflakeEmulator } from '../../sim/snowflake/emulator.js';
import { runCli } from '../helpers/cli.js';
import { LATEST_VERSION } from '../../sinks/store/tables.js';

// Each test spawns the CLI several times (a Node start and the modules each time): on a busy 2-core machine that
// can pass 30 s. A hang guard, not a time assertion.
jest.setTimeout(120_000);

const dir = mkdtempSync(join(tmpdir(), 'pa-sfcli-'));
let emu: SnowflakeEmulator;
let sim: DatabricksSimulator;
const env = () => ({
  SNOWFLAKE_ACCOUNT: emu.account,
  SNOWFLAKE_USER: 'svc',
  SNOWFLAKE_PASSWORD: 'sf-password-value',
  SNOWFLAKE_ACCESS_URL: emu.accessUrl,
  DATABRICKS_HOST: sim.url,
  DATABRICKS_TOKEN: 'dapi-sf-cli-token-000000000000',
});

beforeAll(async () => {
  emu = await startSnowflakeEmulator({ users: { svc: 'sf-password-value' } });
  sim = await startDatabricksSimulator({ data: generateDatabricksData({ now: new Date(), seed: 5, jobs: 6, runs: 40, days: 1 }), token: 'dapi-sf-cli-token-000000000000' });
});
afterAll(async () => {
  await sim.close();
  await emu.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('CLI on the Snowflake store', () => {
  it('run refuses a schema that was never initialized (exit 3, names init); init creates it; run then stores', async () => {
    const before = await runCli(['run'], env(), dir);
    expect(before.code).toBe(3);
    expect(before.stderr).toMatch(/pipeline-audit init/);

    const init = await runCli(['init'], env(), dir);
    expect(init.stdout).toContain(`audit schema ready (snowflake, version ${LATEST_VERSION})`);
    expect(init.code).toBe(0);

    const run = await runCli(['run', '--json'], env(), dir);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as { cycleId: string; totals: { runsSeen: number; runsWritten: number } };
    expect(report.totals.runsWritten).toBe(report.totals.runsSeen);
    const [row] = await emu.sql('SELECT count(*) AS n FROM DEV_POWERAPPS.AUDIT_JOB_HUB.RUNS');
    expect(Number(row!.n)).toBe(report.totals.runsSeen);
    // Every statement of the cycle names the tool, its version and the cycle: warehouse cost per cycle.
    expect(emu.statements.filter((s) => s.queryTag?.includes(`cycle:${report.cycleId}`)).length).toBeGreaterThan(5);
    expect(run.stdout + run.stderr).not.toContain('sf-password-value');
  });

  it('init installs the stale-cycle ALERT when given an integration and a recipient, and resumes it', async () => {
    const alertEnv = { ...env(), SNOWFLAKE_WAREHOUSE: 'AUDIT_WH' };
    const half = await runCli(['init', '--alert-integration', 'OPS_EMAIL'], alertEnv, dir);
    expect(half.code).toBe(2);
    const r = await runCli(['init', '--alert-integration', 'OPS_EMAIL', '--alert-recipient', 'oncall@example.com'], alertEnv, dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/alert installed/);
    const alert = emu.alerts.get('DEV_POWERAPPS.AUDIT_JOB_HUB.PIPELINE_AUDIT_STALE');
    expect(alert?.resumed).toBe(true);
    expect(alert!.sql).toMatch(/SYSTEM\$SEND_EMAIL\(\s*'OPS_EMAIL'/);
    expect(alert!.sql).toContain('oncall@example.com');
    const hostile = await runCli(['init', '--alert-integration', 'OPS; DROP TABLE RUNS', '--alert-recipient', 'oncall@example.com'], alertEnv, dir);
    expect(hostile.code).toBe(2);
    expect(emu.statements.some((s) => /DROP TABLE RUNS/.test(s.sqlText))).toBe(false);
  });
});
