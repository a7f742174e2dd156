// The doctor's checks as a library function: the configuration is already valid when this runs; every configured
// scope and the store are checked, each finding one line with its fix. bin/doctor.ts only prints them.
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { createHttpClient } from './connect/http.js';
import { collectorFor } from './collectors/registry.js';
import type { CheckResult } from './collectors/types.js';
import type { AuditConfig } from './config/load.js';
import { errorMessage } from './errors.js';
import { redact } from './normalize/redact.js';
import { TOOL_VERSION } from './normalize/schema.js';
import { openStore } from './sinks/store/open.js';

export interface DoctorFinding {
  target: string;
  ok: boolean;
  message: string;
  fix?: string | undefined;
}

export interface DoctorDeps {
  now?: () => Date;
  /** Time limit of each scope's check. */
  timeoutMs?: number;
}

export async function runDoctor(config: AuditConfig, deps: DoctorDeps = {}): Promise<DoctorFinding[]> {
  const now = deps.now ?? (() => new Date());
  const findings: DoctorFinding[] = [{ target: 'configuration', ok: true, message: `${config.scopes.length} scope(s) configured${config.configFile ? ` from ${config.configFile}` : ''}` }];
  for (const n of config.notEnabled) findings.push({ target: n.platform, ok: true, message: `not monitored: ${n.reason}` });
  findings.push(...(await Promise.all(config.scopes.map((s) => checkScope(config, s, now, deps.timeoutMs ?? 60_000)))));
  findings.push(await checkStore(config));
  return findings;
}

async function checkScope(config: AuditConfig, s: AuditConfig['scopes'][number], now: () => Date, timeoutMs: number): Promise<DoctorFinding> {
  const collector = collectorFor(s.platform);
  const signal = AbortSignal.timeout(timeoutMs);
  const http = createHttpClient({ signal, now, options: { ...config.http, retries: 1, concurrency: collector.concurrency }, secrets: config.secrets, userAgent: `pipeline-audit/${TOOL_VERSION} doctor` });
  const target = `${s.platform} ${s.scopeId}`;
  try {
    const r: CheckResult = await collector.check({ platform: s.platform, scope: s.scope, scopeId: s.scopeId, http, signal, now, limits: config.limits, warn: () => {}, incomplete: () => {} });
    return { target, ok: r.ok, message: redact(r.message, config.secrets), fix: r.fix };
  } catch (e) {
    return { target, ok: false, message: redact(errorMessage(e), config.secrets), fix: 'check the base URL, the network and the credentials' };
  } finally {
    await http.close();
  }
}

async function checkStore(config: AuditConfig): Promise<DoctorFinding> {
  const target = config.store.kind === 'duckdb' ? `store duckdb ${config.store.path}` : `store snowflake ${config.store.settings.database}.${config.store.settings.schema}`;
  // Before the first run the embedded store does not exist yet: that is expected, as long as it can be created.
  if (config.store.kind === 'duckdb' && !existsSync(config.store.path)) return newDuckDbFile(target, config.store.path);
  try {
    const store = await openStore(config.store, { queryTag: `pipeline-audit/${TOOL_VERSION} doctor`, readOnly: config.store.kind === 'duckdb' });
    try {
      const version = await store.checkSchema();
      const runs = await store.countRuns();
      const last = await store.lastCycle();
      return { target, ok: true, message: `schema version ${version}, ${runs} runs stored, last cycle ${last ? `${last.endedAt.toISOString()} (${last.outcome})` : 'never'}` };
    } finally {
      await store.close();
    }
  } catch (e) {
    return {
      target,
      ok: false,
      message: redact(errorMessage(e), config.secrets),
      fix: config.store.kind === 'duckdb' ? 'the file is created by the first `pipeline-audit run` (or `pipeline-audit init`)' : 'run `pipeline-audit init` with a role that may create tables, and check account, user, key and warehouse',
    };
  }
}

/** A DuckDB file that does not exist yet: fine when its nearest existing folder is writable. */
function newDuckDbFile(target: string, path: string): DoctorFinding {
  let dir = dirname(path);
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  try {
    if (!statSync(dir).isDirectory()) throw new Error(`${dir} is a file, not a folder`);
    accessSync(dir, constants.W_OK);
    return { target, ok: true, message: 'does not exist yet; the first `pipeline-audit run` (or `pipeline-audit init`) creates it' };
  } catch (e) {
    return { target, ok: false, message: `does not exist yet, and it cannot be created under ${dir}: ${errorMessage(e)}`, fix: 'set PIPELINE_AUDIT_DUCKDB_PATH to a file in a writable folder' };
  }
}
