// runCycle: the cycle with the configured store. A second process on the same DuckDB file is told so before any
// collection (the lease's exit code), never after collecting everything.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from '@jest/globals';
import type { AuditConfig } from '../config/load.js';
import { runCycle } from '../cycle.js';
import { LeaseError } from '../errors.js';
import { generateDatabricksData } from '../sim/databricks-data.js';
import { startDatabricksSimulator } from '../sim/databricks.js';

const dir = mkdtempSync(join(tmpdir(), 'pa-runcycle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const NOW = new Date('2026-11-23T12:00:00.000Z');

describe('runCycle', () => {
  it('stops before collecting when another process holds the DuckDB file', async () => {
    const path = join(dir, 'locked.duckdb');
    // Another process opens the file for writing and keeps it until told to stop.
    const holder = spawn(process.execPath, ['--input-type=module', '-e', `const d = await import('@duckdb/node-api'); const i = await d.DuckDBInstance.create(${JSON.stringify(path)}); await i.connect(); console.log('ready'); process.stdin.on('data', () => process.exit(0));`], {
      stdio: ['pipe', 'pipe', 'inherit'],
      cwd: process.cwd(),
    });
    const sim = await startDatabricksSimulator({ data: generateDatabricksData({ now: NOW, seed: 3, jobs: 3, runs: 10, days: 1 }), token: 'tok-cycle-test-0000' });
    try {
      await new Promise<void>((resolve) => createInterface({ input: holder.stdout! }).once('line', () => resolve()));
      const config: AuditConfig = {
        scopes: [{ platform: 'databricks', scope: { host: sim.url, token: 'tok-cycle-test-0000' }, scopeId: 'ws', source: 'test' }],
        enabled: ['databricks'],
        notEnabled: [],
        store: { kind: 'duckdb', path },
        initialLookbackMs: 3_600_000,
        cycleTimeoutMs: 60_000,
        limits: { maxPages: 100, maxDetailRequests: 10 },
        http: { retries: 0 },
        secrets: [],
        configFile: null,
      };
      const err = await runCycle(config, { now: () => NOW }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LeaseError);
      expect((err as LeaseError).message).toMatch(/has the store open for writing; nothing was collected/);
      expect(Object.values(sim.stats.requests).reduce((a, b) => a + b, 0)).toBe(0);
    } finally {
      holder.stdin!.write('x');
      await new Promise((r) => holder.once('exit', r));
      await sim.close();
    }
  });
});
