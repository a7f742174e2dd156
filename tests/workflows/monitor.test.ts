// The scheduled workflow, checked as data: pinned actions, least permissions, the cache key a re-run can save, the
// store choice mirrored from the tool (by running the workflow's own shell step against config/store.ts), the
// pass-through of every variable the README documents, and the artifacts uploaded whatever happened.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { envSource } from '../../config/source.js';
import { storeConfig } from '../../config/store.js';
import type { ConfigIssue } from '../../errors.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const TEXT = readFileSync(join(ROOT, '.github/workflows/monitor.yml'), 'utf8');

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, string | number | boolean>;
}
interface Job {
  permissions?: Record<string, string>;
  'timeout-minutes'?: number;
  steps: Step[];
  if?: string;
  needs?: string;
}
const WF = parse(TEXT) as { permissions: unknown; concurrency: { group: string; 'cancel-in-progress': boolean }; jobs: Record<string, Job> };
const audit = WF.jobs.audit!;
const stepNamed = (job: Job, name: string): Step => {
  const s = job.steps.find((x) => x.name === name || x.id === name);
  if (!s) throw new Error(`no step ${name}`);
  return s;
};
const auditStep = stepNamed(audit, 'Audit cycle');
const resolveStep = stepNamed(audit, 'resolve');

/**
 * Documented names that the scheduled run deliberately does not pass through.
 * - PIPELINE_AUDIT_SPOOL_DIR: a spool needs a disk that outlives the run; a GitHub runner is thrown away.
 */
const NOT_FOR_CI = new Set(['PIPELINE_AUDIT_SPOOL_DIR']);

/** The delivery and heartbeat names the next stages read (not all in the README yet). */
const DELIVERY_NAMES = [
  'SMTP_URL', 'SMTP_HOST', 'SMTP_PORT', 'SMTP_USER', 'SMTP_PASSWORD', 'SMTP_FROM',
  'OUTLOOK_CLIENT_ID', 'OUTLOOK_CLIENT_SECRET', 'OUTLOOK_TENANT_ID', 'OUTLOOK_SENDER',
  'LLM_PROVIDER', 'LLM_API_KEY', 'LLM_MODEL', 'OPENAI_API_KEY', 'OPENAI_BASE_URL',
  'PIPELINE_AUDIT_HEARTBEAT_URL', 'PIPELINE_AUDIT_OUTBOX_DIR',
]; // prettier-ignore

const SECRET_NAME = /(SECRET|PASSWORD|TOKEN|API_KEY|PRIVATE_KEY$|PASSPHRASE|^SMTP_URL$|HEARTBEAT_URL|DOTENV)/;

/** Backticked variable names in the first cell of the tables under `## Configuration`; `_USER` after `SNOWFLAKE_TASKS_ACCOUNT` is `SNOWFLAKE_TASKS_USER`. */
function documentedVariables(readme: string): string[] {
  const start = readme.indexOf('\n## Configuration');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end === -1 ? undefined : end);
  const names = new Set<string>();
  for (const line of section.split('\n')) {
    if (!line.startsWith('|')) continue;
    const cell = line.split('|')[1] ?? '';
    let prefix = '';
    for (const m of cell.matchAll(/`(_?[A-Z][A-Z0-9_]*)`/g)) {
      const n = m[1]!;
      if (n.startsWith('_')) {
        if (prefix) names.add(prefix + n);
        continue;
      }
      names.add(n);
      if (!prefix) prefix = n.slice(0, n.lastIndexOf('_'));
    }
  }
  return [...names].sort();
}

describe('monitor.yml', () => {
  it('pins every action to a full commit SHA with its version in a comment', () => {
    const uses = [...TEXT.matchAll(/^\s*(?:-\s+)?uses:\s*(.+)$/gm)].map((m) => m[1]!.trim());
    expect(uses.length).toBeGreaterThanOrEqual(6);
    for (const u of uses) expect(u).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
  });

  it('grants nothing at the top and the least each job needs', () => {
    expect(WF.permissions).toEqual({});
    expect(audit.permissions).toEqual({ contents: 'read' });
    expect(WF.jobs.prune!.permissions).toEqual({ actions: 'write' });
    expect(Object.keys(WF.jobs).sort()).toEqual(['audit', 'prune']);
    // The prune job runs no repository code: no checkout, no node, only the gh CLI.
    expect(WF.jobs.prune!.steps.every((s) => s.uses === undefined)).toBe(true);
    expect(WF.jobs.prune!.steps.map((s) => s.run ?? '').join('\n')).toMatch(/gh cache delete/);
  });

  it('has timeouts on every job and one concurrency group that queues instead of cancelling', () => {
    for (const job of Object.values(WF.jobs)) expect(job['timeout-minutes']).toBeGreaterThan(0);
    expect(audit['timeout-minutes']).toBeLessThanOrEqual(15);
    expect(WF.concurrency).toEqual({ group: 'pipeline-audit-monitor', 'cancel-in-progress': false });
  });

  it('saves the store under a key that includes the run attempt, and restores the newest by prefix', () => {
    const restore = audit.steps.find((s) => s.uses?.startsWith('actions/cache/restore@'))!;
    const save = audit.steps.find((s) => s.uses?.startsWith('actions/cache/save@'))!;
    for (const s of [restore, save]) {
      expect(s.with?.key).toBe('pipeline-audit-store-${{ github.run_id }}-${{ github.run_attempt }}');
      expect(s.with?.path).toBe('.pipeline-audit');
      expect(s.if).toContain("steps.resolve.outputs.store == 'duckdb'");
    }
    expect(restore.with?.['restore-keys']).toBe('pipeline-audit-store-');
    expect(save.if).toContain('always()');
    expect(auditStep.env?.PIPELINE_AUDIT_DUCKDB_PATH).toBe('.pipeline-audit/audit.duckdb');
    expect(WF.jobs.prune!.if).toContain("needs.audit.outputs.store == 'duckdb'");
  });

  it('installs with npm ci and caches node_modules by the lock file hash', () => {
    const setup = audit.steps.find((s) => s.uses?.startsWith('actions/setup-node@'))!;
    expect(setup.with?.cache).toBe('npm');
    const modules = stepNamed(audit, 'modules');
    expect(modules.with?.path).toBe('node_modules');
    expect(String(modules.with?.key)).toContain("hashFiles('package-lock.json')");
    expect(stepNamed(audit, 'Install').run).toMatch(/^npm ci\b/);
    expect(stepNamed(audit, 'Install').if).toBe("steps.modules.outputs.cache-hit != 'true'");
    expect(TEXT).not.toMatch(/npm install/);
  });

  it('uploads the JSON report and the outbox whatever the outcome', () => {
    const uploads = audit.steps.filter((s) => s.uses?.startsWith('actions/upload-artifact@'));
    expect(uploads.map((u) => u.with?.path)).toEqual(['report.json', auditStep.env?.PIPELINE_AUDIT_OUTBOX_DIR]);
    for (const u of uploads) {
      expect(u.if).toMatch(/^always\(\)/);
      expect(String(u.with?.name)).toContain('${{ github.run_attempt }}');
    }
    expect(auditStep.run).toContain('--output report.json');
  });

  it('passes through every variable the README documents', () => {
    const documented = documentedVariables(readFileSync(join(ROOT, 'README.md'), 'utf8'));
    expect(documented).toEqual(expect.arrayContaining(['PIPELINE_AUDIT_STORE', 'DATABRICKS_TOKEN', 'SNOWFLAKE_TASKS_USER', 'AZURE_AUTHORITY_HOST']));
    const passed = new Set(Object.keys(auditStep.env ?? {}));
    const missing = documented.filter((n) => !passed.has(n) && !NOT_FOR_CI.has(n));
    expect(missing).toEqual([]);
    expect(DELIVERY_NAMES.filter((n) => !passed.has(n))).toEqual([]);
  });

  it('reads secrets only from secrets, and everything else from a variable of the same name', () => {
    const owned = new Set(['PIPELINE_AUDIT_CONFIG', 'PIPELINE_AUDIT_DUCKDB_PATH', 'SINCE', 'DRY_RUN']);
    for (const [name, value] of Object.entries(auditStep.env ?? {})) {
      if (owned.has(name)) continue;
      if (SECRET_NAME.test(name)) expect([name, value]).toEqual([name, `\${{ secrets.${name} }}`]);
      else expect([name, value]).toEqual([name, expect.stringMatching(new RegExp(`^\\$\\{\\{ vars\\.${name}( \\|\\| (secrets\\.${name}|'[^']*'))? \\}\\}$`))]);
    }
    // Inputs reach the script as environment data, never spliced into it.
    expect(auditStep.run).not.toContain('${{');
    expect(resolveStep.run).not.toContain('${{');
  });

  it('decides the store from the same inputs the cycle sees', () => {
    for (const n of ['SNOWFLAKE_ACCOUNT', 'SNOWFLAKE_USER', 'PIPELINE_AUDIT_STORE']) expect(resolveStep.env?.[n]).toBe(auditStep.env?.[n]);
    expect(resolveStep.env?.PIPELINE_AUDIT_CONFIG).toBe('${{ vars.PIPELINE_AUDIT_CONFIG }}');
    expect(auditStep.env?.PIPELINE_AUDIT_CONFIG).toBe('${{ steps.resolve.outputs.config }}');
  });
});

describe('the store choice of monitor.yml', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  /** Runs the resolve step's script as the runner would (bash, with GITHUB_OUTPUT) in a fresh checkout-like directory. */
  function resolve(env: Record<string, string>, files: Record<string, string> = {}): Record<string, string> {
    const dir = mkdtempSync(join(tmpdir(), 'monitor-'));
    dirs.push(dir);
    for (const [p, body] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, p)), { recursive: true });
      writeFileSync(join(dir, p), body);
    }
    const out = join(dir, 'github-output');
    writeFileSync(out, '');
    const r = spawnSync('bash', ['-e', '-c', resolveStep.run!], {
      cwd: dir,
      env: { PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`, GITHUB_OUTPUT: out, EVENT_NAME: 'schedule', RUN_NUMBER: '7', ...env },
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`resolve step failed: ${r.stderr}`);
    return Object.fromEntries(readFileSync(out, 'utf8').trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  }

  /** What the tool itself chooses (config/store.ts), for the same environment and config file. */
  function toolChoice(env: Record<string, string>, fileKind?: 'duckdb' | 'snowflake'): string {
    const issues: ConfigIssue[] = [];
    return storeConfig(envSource(env, issues), fileKind ? { store: { kind: fileKind } } : {}, '/tmp', issues).kind;
  }

  const A = { SNOWFLAKE_ACCOUNT: 'myorg-acct' };
  const U = { SNOWFLAKE_USER: 'SVC_AUDIT' };
  const cases: [string, Record<string, string>, ('duckdb' | 'snowflake')?][] = [
    ['nothing set', {}],
    ['account only', { ...A }],
    ['user only', { ...U }],
    ['account and user', { ...A, ...U }],
    ['account and a blank user (a missing GitHub secret)', { ...A, SNOWFLAKE_USER: '  ' }],
    ['PIPELINE_AUDIT_STORE=duckdb beside account and user', { ...A, ...U, PIPELINE_AUDIT_STORE: 'duckdb' }],
    ['PIPELINE_AUDIT_STORE=snowflake alone', { PIPELINE_AUDIT_STORE: 'snowflake' }],
    ['config file says snowflake', {}, 'snowflake'],
    ['config file says duckdb beside account and user', { ...A, ...U }, 'duckdb'],
    ['PIPELINE_AUDIT_STORE wins over the config file', { PIPELINE_AUDIT_STORE: 'duckdb' }, 'snowflake'],
  ];
  it.each(cases.map(([label, env, fileKind]) => ({ label, env, fileKind })))('$label', ({ env, fileKind }) => {
    const files = fileKind ? { '.github/pipeline-audit.config.json': JSON.stringify({ store: { kind: fileKind } }) } : {};
    expect(resolve(env, files).store).toBe(toolChoice(env, fileKind));
  });

  it('the four combinations of account and user give duckdb, duckdb, duckdb, snowflake', () => {
    expect([{}, A, U, { ...A, ...U }].map((e) => resolve(e).store)).toEqual(['duckdb', 'duckdb', 'duckdb', 'snowflake']);
  });

  it('finds the config file the way the tool does, the variable first', () => {
    expect(resolve({}).config).toBe('');
    expect(resolve({}, { '.github/pipeline-audit.config.json': '{}' }).config).toBe('.github/pipeline-audit.config.json');
    expect(resolve({ PIPELINE_AUDIT_CONFIG: 'ops/audit.json' }, { 'ops/audit.json': '{"store":{"kind":"snowflake"}}' })).toMatchObject({ config: 'ops/audit.json', store: 'snowflake' });
    // Left empty, the tool reads ./pipeline-audit.config.json itself; the store choice reads it too.
    expect(resolve({}, { 'pipeline-audit.config.json': '{"store":{"kind":"snowflake"}}' })).toMatchObject({ config: '', store: 'snowflake' });
    expect(resolve({}, { '.github/pipeline-audit.config.json': 'not json' }).store).toBe('duckdb');
  });

  it('prunes on every 24th run and on every manual run', () => {
    expect(resolve({ RUN_NUMBER: '47' }).prune).toBe('false');
    expect(resolve({ RUN_NUMBER: '48' }).prune).toBe('true');
    expect(resolve({ RUN_NUMBER: '47', EVENT_NAME: 'workflow_dispatch' }).prune).toBe('true');
  });
});
