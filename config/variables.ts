// The environment variables pipeline-audit reads, in one list, and what `config check` says about the others: a
// variable under one of our prefixes that nothing reads is most likely a misspelling (DATABRICKS_TOKN), and an
// exported empty variable hides the value a `.env` file holds (Node's loader never overrides a variable that is
// set, even to ''). tests/config/variables.test.ts checks that every name read under config/ and collectors/ is here
// and in the README.
import type { Env } from './source.js';

/** Every variable pipeline-audit reads (the Snowflake Tasks connection names fall back to the SNOWFLAKE_ ones). */
export const KNOWN_VARIABLES: readonly string[] = [
  'PIPELINE_AUDIT_PLATFORMS',
  'PIPELINE_AUDIT_CONFIG',
  'PIPELINE_AUDIT_STORE',
  'PIPELINE_AUDIT_DUCKDB_PATH',
  'PIPELINE_AUDIT_INITIAL_LOOKBACK_HOURS',
  'PIPELINE_AUDIT_CYCLE_TIMEOUT_MINUTES',
  'PIPELINE_AUDIT_MAX_PAGES',
  'PIPELINE_AUDIT_MAX_DETAIL_REQUESTS',
  'PIPELINE_AUDIT_HTTP_RETRIES',
  'PIPELINE_AUDIT_HTTP_TIMEOUT_MS',
  'PIPELINE_AUDIT_LOG_LEVEL',
  'PIPELINE_AUDIT_SPOOL_DIR',
  'PIPELINE_AUDIT_DEBUG',
  'PIPELINE_AUDIT_NOTIFY_TO',
  'PIPELINE_AUDIT_HEARTBEAT_URL',
  'PIPELINE_AUDIT_TIMEZONE',
  'LLM_PROVIDER',
  'LLM_API_KEY',
  'LLM_MODEL',
  'OPENAI_API_KEY',
  'OPENAI_BASE_URL',
  'DATABRICKS_HOST',
  'DATABRICKS_TOKEN',
  'DATABRICKS_API_KEY',
  'DATABRICKS_CLIENT_ID',
  'DATABRICKS_CLIENT_SECRET',
  'AIRBYTE_API_URL',
  'AIRBYTE_API_KEY',
  'AIRBYTE_CLIENT_ID',
  'AIRBYTE_CLIENT_SECRET',
  'AIRBYTE_WORKSPACE_IDS',
  'AIRBYTE_WEB_URL',
  'AIRBYTE_CONFIG_API_URL',
  'DATAVERSE_URL',
  'DATAVERSE_API_URL',
  'POWER_AUTOMATE_ENVIRONMENT_URL',
  'POWER_AUTOMATE_ENVIRONMENT_ID',
  'POWER_AUTOMATE_TENANT_ID',
  'POWER_AUTOMATE_CLIENT_ID',
  'POWER_AUTOMATE_CLIENT_SECRET',
  'AZURE_TENANT_ID',
  'AZURE_CLIENT_ID',
  'AZURE_CLIENT_SECRET',
  'AZURE_AUTHORITY_HOST',
  ...['', 'TASKS_'].flatMap((p) =>
    ['ACCOUNT', 'USER', 'PASSWORD', 'PRIVATE_KEY', 'PRIVATE_KEY_PATH', 'PRIVATE_KEY_PASSPHRASE', 'AUTHENTICATOR', 'ROLE', 'WAREHOUSE', 'ACCESS_URL'].map((n) => `SNOWFLAKE_${p}${n}`),
  ),
  'PIPELINE_AUDIT_MAIL_TRANSPORT',
  'PIPELINE_AUDIT_OUTBOX_DIR',
  'PIPELINE_AUDIT_MAIL_FROM',
  'PIPELINE_AUDIT_NOTIFY_TO',
  'PIPELINE_AUDIT_ALL_CLEAR_HOUR',
  'SMTP_URL',
  'SMTP_HOST',
  'SMTP_PORT',
  'SMTP_USER',
  'SMTP_PASSWORD',
  'SMTP_REQUIRE_TLS',
  'SMTP_FROM',
  'OUTLOOK_TENANT_ID',
  'OUTLOOK_CLIENT_ID',
  'OUTLOOK_CLIENT_SECRET',
  'OUTLOOK_SENDER',
  'SNOWFLAKE_DATABASE',
  'SNOWFLAKE_SCHEMA',
  'SNOWFLAKE_TASKS_DATABASES',
  'SNOWFLAKE_TASKS_USE_ACCOUNT_USAGE',
];

/** Prefixes whose unknown variables are reported: ours, the platforms', and the stages' (mail, model). */
export const KNOWN_PREFIXES: readonly string[] = ['PIPELINE_AUDIT_', 'DATABRICKS_', 'AIRBYTE_', 'POWER_AUTOMATE_', 'DATAVERSE_', 'SNOWFLAKE_', 'AZURE_', 'OUTLOOK_', 'LLM_', 'SMTP_'];

/**
 * Variables under those prefixes that belong to someone else: set by the CLI for the Snowflake driver, or by the
 * Azure CLI on GitHub-hosted runners. Reporting them would teach people to ignore the report.
 */
const OTHERS: ReadonlySet<string> = new Set(['SNOWFLAKE_DISABLE_PLATFORM_DETECTION', 'AZURE_EXTENSION_DIR', 'AZURE_HTTP_USER_AGENT', 'AZURE_CONFIG_DIR', 'AZURE_CORE_COLLECT_TELEMETRY']);

export interface VariableNotice {
  variable: string;
  message: string;
}

/** Optimal string alignment distance (a transposition counts as one edit), capped at `max + 1`. */
export function editDistance(a: string, b: string, max = 3): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return Math.min(d[a.length]![b.length]!, max + 1);
}

/** The known name closest to `name` (case-insensitive, at most 2 edits, or 3 for long names), or null. */
export function closestKnown(name: string, known: readonly string[] = KNOWN_VARIABLES): string | null {
  const upper = name.toUpperCase();
  const limit = upper.length >= 16 ? 3 : 2;
  let best: { name: string; d: number } | null = null;
  for (const k of known) {
    const d = upper === k ? 0 : editDistance(upper, k, limit);
    if (d <= limit && (!best || d < best.d)) best = { name: k, d };
  }
  return best?.name ?? null;
}

/**
 * Variables that look meant for pipeline-audit but are not read (with the likely intended name), and variables set
 * but empty in the environment while `.env` has a value for them. Sorted by name; values are never included.
 */
export function variableNotices(env: Env, dotenv: Readonly<Record<string, string>> = {}): VariableNotice[] {
  const known = new Set(KNOWN_VARIABLES);
  const out: VariableNotice[] = [];
  for (const name of Object.keys(env).sort()) {
    if (known.has(name) || OTHERS.has(name)) continue;
    const upper = name.toUpperCase();
    const prefixed = KNOWN_PREFIXES.some((p) => upper.startsWith(p));
    const suggestion = closestKnown(name);
    if (!prefixed && !suggestion) continue;
    out.push({ variable: name, message: `unknown variable ${name}${suggestion ? ` (did you mean ${suggestion}?)` : ' (pipeline-audit does not read it)'}` });
  }
  for (const name of Object.keys(dotenv).sort()) {
    const value = env[name];
    if (value !== undefined && value.trim() === '' && (dotenv[name] ?? '').trim() !== '') {
      out.push({ variable: name, message: `${name} is set but empty in the environment, which hides its value in .env (a set variable is never overridden by .env): unset ${name}` });
    }
  }
  return out;
}
