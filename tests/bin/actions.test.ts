// reportToActions as the runner sees it: a child process with GITHUB_ACTIONS=true and GITHUB_STEP_SUMMARY pointing
// at a file, its stdout read back as workflow commands.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from '@jest/globals';
import { maskValues, reportToActions } from '../../bin/actions.js';
import type { AuditReport } from '../../summarize/report.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSX = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
const MODULE = pathToFileURL(join(ROOT, 'bin/actions.ts')).href;

const SECRET = 'dapi-0123456789abcdef';
const PEM = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----';

const report: AuditReport = {
  cycleId: 'c-1', toolVersion: '0.1.0', startedAt: '2026-11-20T10:00:00.000Z', endedAt: '2026-11-20T10:01:00.000Z', dryRun: false,
  outcome: 'partial', store: { kind: 'duckdb', ok: true, error: null }, scopes: [], notEnabled: [],
  blindSpots: [{ platform: 'databricks', scope: 'adb-1', reason: `401: token ${SECRET} rejected\n::error::forged 100%` }],
  totals: { runsSeen: 0, runsWritten: 0, failedRuns: 0, warnings: 0, requests: 1 }, failedRuns: [],
}; // prettier-ignore

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function run(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const script = `import { reportToActions } from ${JSON.stringify(MODULE)};
const input = JSON.parse(process.env.INPUT);
const out = await reportToActions({ ...input, env: process.env });
process.stderr.write(JSON.stringify(out));`;
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', TSX, '--input-type=module', '-e', script], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', INPUT: JSON.stringify({ secrets: [SECRET, PEM, 'ab'], report, extras: { deliveries: [{ team: 'data, ops', status: 'failed', transport: 'smtp', reason: '421 try later' }] } }), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

describe('reportToActions', () => {
  it('masks first, then writes the summary file and the annotations', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'actions-'));
    dirs.push(dir);
    const summary = join(dir, 'step-summary.md');
    writeFileSync(summary, '');
    const r = await run({ GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stderr)).toEqual({ active: true, masked: 6, summaryWritten: true, annotations: 2, summaryError: null });

    const lines = r.stdout.trimEnd().split('\n');
    const masks = lines.filter((l) => l.startsWith('::add-mask::'));
    expect(masks).toEqual([
      `::add-mask::${SECRET}`,
      `::add-mask::${PEM.replace(/\n/g, '%0A')}`,
      '::add-mask::-----BEGIN PRIVATE KEY-----',
      '::add-mask::MIIEvQIBADANBgkqhkiG9w0BAQEFAASC',
      '::add-mask::BKcwggSjAgEAAoIBAQC7',
      '::add-mask::-----END PRIVATE KEY-----',
    ]);
    // Every mask precedes every other line.
    expect(lines.slice(0, masks.length)).toEqual(masks);

    const rest = lines.slice(masks.length);
    // @actions/core escapes data (% CR LF) and properties (also : and ,): the forged command stays inside the message.
    expect(rest).toEqual([
      `::error title=pipeline-audit blind spot%3A databricks adb-1::401: token ${SECRET} rejected ::error::forged 100%25`,
      '::error title=pipeline-audit delivery failed%3A data%2C ops::smtp: 421 try later (retried next cycle)',
    ]);

    const md = readFileSync(summary, 'utf8');
    expect(md).toContain('## pipeline-audit: cycle partial');
    expect(md).toContain('### Blind spots (1)');
    expect(md).toContain('### Deliveries: 0 sent, 1 failed, 0 skipped');
  });

  it('reports a summary file it cannot write without failing', async () => {
    const r = await run({ GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: join(tmpdir(), 'no-such-dir-pipeline-audit', 'summary.md') });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stderr) as { summaryWritten: boolean; summaryError: string | null; annotations: number };
    expect(out.summaryWritten).toBe(false);
    expect(out.summaryError).toMatch(/Unable to access summary file/);
    expect(out.annotations).toBe(2);
  });

  it('does nothing outside GitHub Actions', async () => {
    const out = await reportToActions({ secrets: [SECRET], report, env: {} });
    expect(out).toEqual({ active: false, masked: 0, summaryWritten: false, annotations: 0, summaryError: null });
  });
});

describe('maskValues', () => {
  it('masks a multi-line secret whole and line by line, skipping trivial values', () => {
    expect(maskValues(['abc', '  ', 'long-enough', 'line-one\r\nok\nline-three'])).toEqual(['long-enough', 'line-one\r\nok\nline-three', 'line-one', 'line-three']);
  });
});
