// What the on-call commands share: the store opened for reading (or for a small write), the clock (`--now`), the
// teams' zones and the author of a silence or acknowledgement. They read the store and never collect.
import { access } from 'node:fs/promises';
import type { AuditConfig } from '../config/load.js';
import { PipelineAuditError, StoreError } from '../errors.js';
import { TOOL_VERSION } from '../normalize/schema.js';
import { openStore } from '../sinks/store/open.js';
import type { Store } from '../sinks/store/types.js';
import type { AssessConfig } from '../summarize/assess/index.js';
import { load, type CommonOptions } from './run.js';

/** DuckDB allows one writing process per file, and refuses even a read-only open beside it. Exit 4, like a lease. */
export class StoreBusyError extends PipelineAuditError {
  constructor(path: string, options: { cause?: unknown } = {}) {
    super('lease', `the store ${path} is in use by a running cycle; try again in a minute`, { isRetryable: true, ...options });
  }
}

const LOCKED = /could not set lock|conflicting lock/i;

/**
 * Opens the configured store: read-only unless `write` (DuckDB lets a read-only reader share the file only with
 * other readers). The schema must be current; the on-call commands never migrate (the cycle or `init` does).
 */
export async function openOncallStore(config: AuditConfig, o: { write: boolean; now: Date; command: string }): Promise<Store> {
  const cfg = config.store;
  if (cfg.kind === 'duckdb' && !(await exists(cfg.path))) {
    throw new StoreError(`no store at ${cfg.path} yet: run a cycle first (pipeline-audit run), or point PIPELINE_AUDIT_DUCKDB_PATH at the cycle's file`);
  }
  let store: Store;
  try {
    store = await openStore(cfg, { readOnly: !o.write, queryTag: `pipeline-audit/${TOOL_VERSION} ${o.command}`, now: () => o.now });
  } catch (e) {
    if (cfg.kind === 'duckdb' && LOCKED.test(messageChain(e))) throw new StoreBusyError(cfg.path, { cause: e });
    throw e;
  }
  try {
    await store.checkSchema();
  } catch (e) {
    await store.close().catch(() => undefined);
    throw e;
  }
  return store;
}

/** Loads the configuration (no platform needs to be configured: the store is all these commands read), opens the store, runs `fn`, closes. */
export async function withStore<T>(o: CommonOptions, write: boolean, command: string, fn: (store: Store, ctx: OncallContext) => Promise<T>): Promise<T> {
  const config = await load(o, false);
  const now = o.now ?? new Date();
  const store = await openOncallStore(config, { write, now, command });
  try {
    return await fn(store, { config, now, zoneOf: teamZones(config) });
  } finally {
    await store.close();
  }
}

export interface OncallContext {
  config: AuditConfig;
  now: Date;
  /** The IANA zone a team reads times in (null: UTC). */
  zoneOf: (team: string) => string | null;
}

/** The assessment configuration, when this build's AuditConfig carries one. */
export function assessmentOf(config: AuditConfig): AssessConfig | undefined {
  return (config as { assessment?: AssessConfig }).assessment;
}

/** Team name → zone, from the assessment's teams (and its default team); UTC for a team it does not name. */
export function teamZones(config: AuditConfig): (team: string) => string | null {
  const a = assessmentOf(config);
  const zones = new Map<string, string | null>();
  if (a) for (const t of [...a.teams, a.defaultTeam]) if (!zones.has(t.name)) zones.set(t.name, t.timezone);
  return (team) => zones.get(team) ?? null;
}

/**
 * Who silences or acknowledges: `--author`, else the GitHub actor (in Actions USER is always `runner`, which names
 * nobody), else the login name, else `cli`.
 */
export function authorOf(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  for (const v of [flag, env.GITHUB_ACTOR, env.USER, env.USERNAME]) if (v && v.trim() !== '') return v.trim();
  return 'cli';
}

function messageChain(e: unknown): string {
  const parts: string[] = [];
  for (let c: unknown = e, i = 0; c && i < 5; c = (c as { cause?: unknown }).cause, i++) parts.push(String((c as { message?: unknown }).message ?? c));
  return parts.join(' | ');
}

function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
