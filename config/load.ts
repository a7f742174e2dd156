// Configuration, read in one place: the environment (the CLI also loads a `.env` file with Node's own loader) and
// a JSON config file that `pipeline-audit config check` validates. Each platform module reads its own scopes;
// this file decides which platforms are monitored, validates every scope with its collector's schema, and reports
// every problem at once, naming the variable.
import { PLATFORM_MODULES } from '../collectors/registry.js';
import type { ScopeCandidate } from '../collectors/module.js';
import type { HttpOptions } from '../connect/http.js';
import { ConfigError, type ConfigIssue } from '../errors.js';
import { PLATFORMS, type Platform } from '../normalize/schema.js';
import type { StoreConfig } from '../sinks/store/open.js';
import { readConfigFile, type ConfigFile } from './file.js';
import { envSource, type Env, type EnvSource } from './source.js';
import { storeConfig } from './store.js';
import { readAssessmentConfig, readLlmConfig } from './assessment.js';
import { readDeliveryConfig, type DeliveryConfig } from './delivery.js';
import type { AssessConfig } from '../summarize/assess/index.js';
import type { LlmConfig } from '../summarize/llm/provider.js';
import { variableNotices } from './variables.js';

export type { Env } from './source.js';
export type { StoreConfig, SnowflakeStoreSettings } from '../sinks/store/open.js';

export interface ScopeConfig {
  platform: Platform;
  /** Validated by the platform collector's scopeSchema. */
  scope: unknown;
  scopeId: string;
  /** Where it came from, for messages: `environment` or `config file databricks.workspaces[1]`. */
  source: string;
}

export interface AuditConfig {
  scopes: ScopeConfig[];
  /** Platforms with at least one scope. */
  enabled: Platform[];
  /** Platforms not monitored, and why (shown in every report so that nothing is silently skipped). */
  notEnabled: { platform: Platform; reason: string }[];
  store: StoreConfig;
  /** How far back the very first cycle of a scope reads (later cycles start from the recorded coverage). */
  initialLookbackMs: number;
  /** Whole-cycle time limit: a catch-up cut off here resumes next cycle from the last committed chunk. */
  cycleTimeoutMs: number;
  limits: { maxPages: number; maxDetailRequests: number };
  http: HttpOptions;
  /** Literal secret values, scrubbed from everything the cycle stores, logs or reports. */
  secrets: string[];
  configFile: string | null;
  /** Detection settings, overrides, teams and routing (defaults when absent: one `support` team). */
  assessment?: AssessConfig;
  /** The one LLM call's model; null or absent: the deterministic summary. */
  llm?: LlmConfig | null;
  /** How digests go out (outbox folder by default, SMTP or Outlook through Graph); absent: the outbox in the cwd. */
  delivery?: DeliveryConfig;
  /** Dead man's switch: requested at the end of each cycle (`/fail` appended on a failed one). A secret. */
  heartbeatUrl?: string | null;
}

const HOUR = 3_600_000;

export interface LoadOptions {
  configPath?: string | undefined;
  cwd?: string;
  platformsOverride?: Platform[];
  /**
   * A cycle with nothing to monitor is a configuration error (the CLI's `run`, `doctor` and `config check`): it
   * names what to set, and the likely misspelled or empty-shadowed variables.
   */
  requireScopes?: boolean;
  /** The values of the `.env` file the caller loaded, to say when an empty variable hides one of them. */
  dotenv?: Readonly<Record<string, string>>;
}

/** Reads the environment and the config file (if any) into one validated configuration, or throws ConfigError. */
export function loadConfig(env: Env, opts: LoadOptions = {}): AuditConfig {
  const issues: ConfigIssue[] = [];
  const src = envSource(env, issues);
  const cwd = opts.cwd ?? process.cwd();
  const { path, file } = readConfigFile({ explicit: opts.configPath ?? src.get('PIPELINE_AUDIT_CONFIG'), fromEnv: !opts.configPath, cwd }, issues);
  const listed = platformList(src, file, opts.platformsOverride, issues);
  const { scopes, notEnabled } = platformScopes(src, file, listed, issues);
  const store = storeConfig(src, file, cwd, issues);
  const delivery = readDeliveryConfig(src, issues, cwd);
  const assessment = readAssessmentConfig(src, file, issues, delivery);
  const llm = readLlmConfig(src, issues);

  const config: AuditConfig = {
    scopes,
    enabled: PLATFORMS.filter((p) => scopes.some((s) => s.platform === p)),
    notEnabled,
    store,
    initialLookbackMs: src.num('PIPELINE_AUDIT_INITIAL_LOOKBACK_HOURS', file.window?.initialLookbackHours ?? 24, 0.01) * HOUR,
    cycleTimeoutMs: src.num('PIPELINE_AUDIT_CYCLE_TIMEOUT_MINUTES', file.window?.cycleTimeoutMinutes ?? 12, 0.1) * 60_000,
    limits: {
      maxPages: src.num('PIPELINE_AUDIT_MAX_PAGES', file.limits?.maxPages ?? 10_000, 1),
      maxDetailRequests: src.num('PIPELINE_AUDIT_MAX_DETAIL_REQUESTS', file.limits?.maxDetailRequests ?? 200, 0),
    },
    http: {
      retries: src.num('PIPELINE_AUDIT_HTTP_RETRIES', file.http?.retries ?? 4, 0),
      requestTimeoutMs: src.num('PIPELINE_AUDIT_HTTP_TIMEOUT_MS', file.http?.requestTimeoutMs ?? 60_000, 1),
      retryAfterCapMs: file.http?.retryAfterCapMs ?? 60_000,
    },
    secrets: [...new Set(src.secrets)].filter((s) => s.length >= 4),
    configFile: path,
    assessment,
    llm,
    delivery,
    heartbeatUrl: src.secret('PIPELINE_AUDIT_HEARTBEAT_URL') ?? null,
  };
  if (opts.requireScopes && scopes.length === 0 && issues.length === 0) {
    const hints = PLATFORMS.map((p) => `\n      ${p.padEnd(13)} ${PLATFORM_MODULES[p].config.hint}`).join('');
    issues.push({ variable: 'no platform to monitor', message: `set the credentials of at least one platform (or try \`pipeline-audit demo\`, which needs none):${hints}` });
  }
  // A misspelled or empty-shadowed variable is the likeliest cause of whatever went wrong: listed with the errors.
  if (opts.requireScopes && issues.length > 0) issues.push(...variableNotices(env, opts.dotenv));
  if (issues.length > 0) throw new ConfigError(issues);
  return config;
}

/** The explicit platform list (flag, environment, file), or null: monitored when their credentials are present. */
function platformList(src: EnvSource, file: ConfigFile, override: Platform[] | undefined, issues: ConfigIssue[]): Platform[] | null {
  if (override) return override;
  const listEnv = src.get('PIPELINE_AUDIT_PLATFORMS');
  if (listEnv) {
    const listed: Platform[] = [];
    for (const p of listEnv.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean)) {
      if ((PLATFORMS as readonly string[]).includes(p)) listed.push(p as Platform);
      else issues.push({ variable: 'PIPELINE_AUDIT_PLATFORMS', message: `unknown platform '${p}' (known: ${PLATFORMS.join(', ')})` });
    }
    return listed;
  }
  return file.platforms ?? null;
}

/** Each platform's scopes from its module, validated by its collector's schema; a listed platform without one is an error. */
function platformScopes(src: EnvSource, file: ConfigFile, listed: Platform[] | null, issues: ConfigIssue[]): { scopes: ScopeConfig[]; notEnabled: AuditConfig['notEnabled'] } {
  const scopes: ScopeConfig[] = [];
  const notEnabled: AuditConfig['notEnabled'] = [];
  for (const platform of PLATFORMS) {
    const { config: reader, collector } = PLATFORM_MODULES[platform];
    const section = file[platform];
    const candidates: ScopeCandidate[] = section ? reader.fromFile(section, src) : reader.fromEnv(src);
    const isListed = listed?.includes(platform) ?? false;
    if (listed && !isListed) {
      notEnabled.push({ platform, reason: 'not in the platform list' });
      continue;
    }
    if (candidates.length === 0) {
      if (isListed) issues.push({ variable: reader.hint, message: `${platform} is listed as monitored but has no credentials (an empty secret counts as missing)` });
      else notEnabled.push({ platform, reason: `no credentials configured (${reader.hint})` });
      continue;
    }
    const seen = new Set<string>();
    for (const c of candidates) {
      const r = collector.scopeSchema.safeParse(c.scope);
      if (!r.success) {
        for (const i of r.error.issues) {
          const field = String(i.path[0] ?? '');
          issues.push({ variable: c.vars[field] || (field ? `${c.source}: ${i.path.join('.')}` : `${c.source} (${reader.hint})`), message: i.message });
        }
        continue;
      }
      const scopeId = collector.scopeId(r.data);
      if (seen.has(scopeId)) {
        issues.push({ variable: c.source, message: `${platform} scope ${scopeId} is configured twice` });
        continue;
      }
      seen.add(scopeId);
      scopes.push({ platform, scope: r.data, scopeId, source: c.source });
    }
  }
  return { scopes, notEnabled };
}

/** A configuration without secrets, for `config check` and reports. */
export function describeConfig(c: AuditConfig): Record<string, unknown> {
  return {
    configFile: c.configFile,
    enabled: c.enabled,
    notEnabled: c.notEnabled,
    scopes: c.scopes.map((s) => ({ platform: s.platform, scope: s.scopeId, source: s.source })),
    store: c.store.kind === 'duckdb' ? c.store : { kind: 'snowflake', account: c.store.settings.account, database: c.store.settings.database, schema: c.store.settings.schema, spoolDir: c.store.spoolDir },
    initialLookbackHours: c.initialLookbackMs / HOUR,
    cycleTimeoutMinutes: c.cycleTimeoutMs / 60_000,
    limits: c.limits,
    http: c.http,
  };
}
