// `run` as the scheduled workflow runs it: in GitHub Actions (a step summary file, masked secrets, annotations) and
// with a heartbeat URL pinged at the end of the cycle. The CLI is spawned as a user would run it.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { generateDatabricksData } from '../../sim/databricks-data.js';
import { startDatabricksSimulator, type DatabricksSimulator } from '../../sim/databricks.js';
import { runCli } from '../helpers/cli.js';

// Each test spawns the CLI several times (a Node start and the modules each time): on a busy 2-core machine that
// can pass 30 s. A hang guard, not a time assertion.
jest.setTimeout(120_000);

const TOKEN = 'dapi-scheduled-test-token-0123456789ab';
const dir = mkdtempSync(join(tmpdir(), 'pa-scheduled-'));
let sim: DatabricksSimulator;
let beat: Server;
const beats: string[] = [];

beforeAll(async () => {
  sim = await startDatabricksSimulator({ data: generateDatabricksData({ now: new Date(), seed: 5, jobs: 6, runs: 40, days: 1 }), token: TOKEN });
  beat = createServer((req, res) => {
    beats.push(req.url ?? '');
    res.end('OK');
  });
  await new Promise<void>((r) => beat.listen(0, '127.0.0.1', () => r()));
});
afterAll(async () => {
  await sim.close();
  await new Promise<void>((r) => beat.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

describe('run in a scheduled workflow', () => {
  it('writes the job summary, masks secrets first, and pings the heartbeat once', async () => {
    const summary = join(dir, 'summary.md');
    writeFileSync(summary, ''); // the runner creates the file; @actions/core appends to it
    const heartbeat = `http://127.0.0.1:${(beat.address() as AddressInfo).port}/ping/secret-uuid-1234`;
    const r = await runCli(['run'], {
      DATABRICKS_HOST: sim.url,
      DATABRICKS_TOKEN: TOKEN,
      PIPELINE_AUDIT_DUCKDB_PATH: join(dir, 'audit.duckdb'),
      PIPELINE_AUDIT_OUTBOX_DIR: join(dir, 'outbox'),
      PIPELINE_AUDIT_HEARTBEAT_URL: heartbeat,
      GITHUB_ACTIONS: 'true',
      GITHUB_STEP_SUMMARY: summary,
    }, dir);
    expect(r.code).toBe(0);
    const md = readFileSync(summary, 'utf8');
    expect(md).toMatch(/databricks/i);
    expect(md).not.toContain(TOKEN);
    // The first thing on stdout is the mask of each secret, before the summary text.
    expect(r.stdout.split('\n')[0]).toMatch(/^::add-mask::/);
    expect(r.stdout).toContain(`::add-mask::${TOKEN}`);
    expect(beats).toEqual(['/ping/secret-uuid-1234']);
    expect(r.stderr).not.toContain('secret-uuid-1234');
  });
});
