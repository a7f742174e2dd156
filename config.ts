// Configuration, read in one place. Secrets come from environment variables (the CLI also loads a `.env` file
// with Node's own loader); everything else can also live in a JSON config file that `pipeline-audit config check`
// validates. Every problem is reported at once, naming the variable. An empty string counts as unset: GitHub passes
// a missing or renamed secret as ''.
import { readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { COLLECTORS } from './collectors/registry.js';
import type { HttpOptions } from './collectors/http.js';
import { ConfigError, type ConfigIssue } from './errors.js';
import { PLATFORMS, type Platform } from './normalize/schema.js';
import type { SnowflakeSettings } from './sinks/snowflake/driver.js';

export type Env = Readonly<Record<string, string | undefined>>;

export interface ScopeConfig {
  platform: Platform;
  /** Validated by the platform collector's scopeSchema. */
  scope: unknown;
  scopeId: string;
  /** Where it came from, for messages: `environment` or `config file databricks.workspaces[1]`. */
  source: string;
}

export type SnowflakeStoreSettings = SnowflakeSettings & { database: string; schema: string };

export type StoreConfig =
  | { kind: 'duckdb'; path: string }
  | { kind: 'snowflake'; settings: SnowflakeStoreSettings; spoolDir: string | null };

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
}

const HOUR = 3_600_000;

// ---- the config file -------------------------------------------------------------------------------------------
// Secrets never live in the file: a scope names the environment variable that holds each one (`tokenEnv`, ...).
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name');
const FileSchema = z
  .object({
    platforms: z.array(z.enum(PLATFORMS)).optional(),
    databricks: z
      .object({
        workspaces: z.array(
          z.object({
            host: z.string(),
            name: z.string().optional(),
            tokenEnv: envName.optional(),
            clientIdEnv: envName.optional(),
            clientSecretEnv: envName.optional(),
            longestRunHours: z.number().positive().optional(),
          }).strict(),
        ),
      })
      .strict()
      .optional(),
    airbyte: z
      .object({
        scopes: z.array(
          z.object({
            baseUrl: z.string().optional(),
            name: z.string().optional(),
            workspaceIds: z.array(z.string()).optional(),
            webUrl: z.string().optional(),
            configApiUrl: z.string().nullable().optional(),
            apiKeyEnv: envName.optional(),
            clientIdEnv: envName.optional(),
            clientSecretEnv: envName.optional(),
          }).strict(),
        ),
      })
      .strict()
      .optional(),
    powerautomate: z
      .object({
        environments: z.array(
          z.object({
            environmentUrl: z.string(),
            apiUrl: z.string().optional(),
            environmentId: z.string().optional(),
            name: z.string().optional(),
            tenantIdEnv: envName.optional(),
            clientIdEnv: envName.optional(),
            clientSecretEnv: envName.optional(),
          }).strict(),
        ),
      })
      .strict()
      .optional(),
    snowflake: z
      .object({
        accounts: z.array(
          z.object({
            account: z.string(),
            user: z.string(),
            databases: z.array(z.string()).min(1),
            role: z.string().optional(),
            warehouse: z.string().optional(),
            accessUrl: z.string().optional(),
            authenticator: z.string().optional(),
            useAccountUsage: z.boolean().optional(),
            longestRunHours: z.number().positive().optional(),
            passwordEnv: envName.optional(),
            privateKeyEnv: envName.optional(),
            privateKeyPathEnv: envName.optional(),
            privateKeyPassphraseEnv: envName.optional(),
          }).strict(),
        ),
      })
      .strict()
      .optional(),
    store: z
      .discriminatedUnion('kind', [
        z.object({ kind: z.literal('duckdb'), path: z.string().optional() }).strict(),
        z.object({ kind: z.literal('snowflake'), database: z.string().optional(), schema: z.string().optional(), spoolDir: z.string().nullable().optional() }).strict(),
      ])
      .optional(),
    window: z.object({ initialLookbackHours: z.number().positive().optional(), cycleTimeoutMinutes: z.number().positive().optional() }).strict().optional(),
    limits: z.object({ maxPages: z.number().int().positive().optional(), maxDetailRequests: z.number().int().nonnegative().optional() }).strict().optional(),
    http: z
      .object({
        retries: z.number().int().nonnegative().optional(),
        requestTimeoutMs: z.number().int().positive().optional(),
        retryAfterCapMs: z.number().int().nonnegative().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type ConfigFile = z.infer<typeof FileSchema>;

/** Reads the environment and the config file (if any) into one validated configuration, or throws ConfigError. */
export function loadConfig(env: Env, opts: { configPath?: string | undefined; cwd?: string; platformsOverride?: Platform[] } = {}): AuditConfig {
  const issues: ConfigIssue[] = [];
  const get = (name: string): string | undefined => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const first = (...names: string[]) => {
    for (const n of names) {
      const v = get(n);
      if (v !== undefined) return { name: n, value: v };
    }
    return undefined;
  };

  // The config file: explicit path, PIPELINE_AUDIT_CONFIG, or ./pipeline-audit.config.json when present.
  const cwd = opts.cwd ?? process.cwd();
  const explicit = opts.configPath ?? get('PIPELINE_AUDIT_CONFIG');
  const path = explicit ? resolve(cwd, explicit) : existsSync(resolve(cwd, 'pipeline-audit.config.json')) ? resolve(cwd, 'pipeline-audit.config.json') : null;
  let file: ConfigFile = {};
  if (path) {
    try {
      const parsed = FileSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
      if (parsed.success) file = parsed.data;
      else for (const i of parsed.error.issues) issues.push({ variable: `${path}: ${i.path.join('.') || '(root)'}`, message: i.message });
    } catch (e) {
      issues.push({ variable: explicit && !get('PIPELINE_AUDIT_CONFIG') ? '--config' : 'PIPELINE_AUDIT_CONFIG', message: `cannot read ${path}: ${(e as Error).message}` });
    }
  }

  const num = (name: string, fallback: number, min = 0): number => {
    const v = get(name);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isFinite(n) || n < min) {
      issues.push({ variable: name, message: `must be a number ≥ ${min}, got '${v}'` });
      return fallback;
    }
    return n;
  };

  // Which platforms: explicit list (flag, env, file) or enabled by their credentials.
  let listed: Platform[] | null = opts.platformsOverride ?? null;
  const listEnv = get('PIPELINE_AUDIT_PLATFORMS');
  if (!listed && listEnv) {
    listed = [];
    for (const p of listEnv.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean)) {
      if ((PLATFORMS as readonly string[]).includes(p)) listed.push(p as Platform);
      else issues.push({ variable: 'PIPELINE_AUDIT_PLATFORMS', message: `unknown platform '${p}' (known: ${PLATFORMS.join(', ')})` });
    }
  }
  if (!listed && file.platforms) listed = file.platforms;

  const secrets: string[] = [];
  const secret = (name: string | undefined): string | undefined => {
    if (!name) return undefined;
    const v = get(name);
    if (v !== undefined) secrets.push(v);
    return v;
  };

  // Candidate scopes per platform: [scope object, map from scope field to the variable that fed it, source label].
  type Candidate = { scope: Record<string, unknown>; vars: Record<string, string>; source: string };
  const candidates: Record<Platform, Candidate[]> = { airbyte: [], databricks: [], powerautomate: [], snowflake: [] };
  const clean = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

  // Databricks: DATABRICKS_HOST with DATABRICKS_TOKEN (the Databricks tools' name) or DATABRICKS_API_KEY (the
  // user's), or DATABRICKS_CLIENT_ID/SECRET for OAuth M2M; several workspaces through the config file.
  if (file.databricks) {
    file.databricks.workspaces.forEach((w, i) => {
      const tokenVar = w.tokenEnv ?? (w.clientIdEnv ? undefined : 'DATABRICKS_TOKEN');
      candidates.databricks.push({
        scope: clean({ host: w.host, name: w.name, token: secret(tokenVar), clientId: secret(w.clientIdEnv), clientSecret: secret(w.clientSecretEnv), longestRunMs: w.longestRunHours ? w.longestRunHours * HOUR : undefined }),
        vars: { host: `databricks.workspaces[${i}].host`, token: tokenVar ?? `databricks.workspaces[${i}].tokenEnv`, clientId: w.clientIdEnv ?? '', clientSecret: w.clientSecretEnv ?? '' },
        source: `config file databricks.workspaces[${i}]`,
      });
    });
  } else {
    const host = get('DATABRICKS_HOST');
    const token = first('DATABRICKS_TOKEN', 'DATABRICKS_API_KEY');
    const cid = get('DATABRICKS_CLIENT_ID');
    const csec = secret('DATABRICKS_CLIENT_SECRET');
    if (token) secrets.push(token.value);
    if (host || token || cid || csec) {
      candidates.databricks.push({
        scope: clean({ host: host && !/^https?:\/\//.test(host) ? `https://${host}` : host, token: token?.value, clientId: cid, clientSecret: csec }),
        vars: { host: 'DATABRICKS_HOST', token: 'DATABRICKS_TOKEN (or DATABRICKS_API_KEY)', clientId: 'DATABRICKS_CLIENT_ID', clientSecret: 'DATABRICKS_CLIENT_SECRET' },
        source: 'environment',
      });
    }
  }

  // Airbyte: AIRBYTE_API_KEY (static token) or AIRBYTE_CLIENT_ID/SECRET (an application; Cloud tokens expire in minutes).
  if (file.airbyte) {
    file.airbyte.scopes.forEach((s, i) => {
      const keyVar = s.apiKeyEnv ?? (s.clientIdEnv ? undefined : 'AIRBYTE_API_KEY');
      candidates.airbyte.push({
        scope: clean({ baseUrl: s.baseUrl ?? 'https://api.airbyte.com/v1', name: s.name, workspaceIds: s.workspaceIds ?? [], webUrl: s.webUrl, configApiUrl: s.configApiUrl, apiKey: secret(keyVar), clientId: secret(s.clientIdEnv), clientSecret: secret(s.clientSecretEnv) }),
        vars: { baseUrl: `airbyte.scopes[${i}].baseUrl`, apiKey: keyVar ?? `airbyte.scopes[${i}].apiKeyEnv`, clientId: s.clientIdEnv ?? '', clientSecret: s.clientSecretEnv ?? '' },
        source: `config file airbyte.scopes[${i}]`,
      });
    });
  } else {
    const key = secret('AIRBYTE_API_KEY');
    const cid = get('AIRBYTE_CLIENT_ID');
    const csec = secret('AIRBYTE_CLIENT_SECRET');
    if (key || cid || csec || get('AIRBYTE_API_URL')) {
      candidates.airbyte.push({
        scope: clean({
          baseUrl: get('AIRBYTE_API_URL') ?? 'https://api.airbyte.com/v1',
          workspaceIds: (get('AIRBYTE_WORKSPACE_IDS') ?? '').split(',').map((s) => s.trim()).filter(Boolean),
          webUrl: get('AIRBYTE_WEB_URL'),
          configApiUrl: get('AIRBYTE_CONFIG_API_URL'),
          apiKey: key,
          clientId: cid,
          clientSecret: csec,
        }),
        vars: { baseUrl: 'AIRBYTE_API_URL', apiKey: 'AIRBYTE_API_KEY', clientId: 'AIRBYTE_CLIENT_ID', clientSecret: 'AIRBYTE_CLIENT_SECRET', workspaceIds: 'AIRBYTE_WORKSPACE_IDS', webUrl: 'AIRBYTE_WEB_URL', configApiUrl: 'AIRBYTE_CONFIG_API_URL' },
        source: 'environment',
      });
    }
  }

  // Power Automate through Dataverse: the user's POWER_AUTOMATE_* names beside Azure's own AZURE_*.
  const tenant = (v?: string) => (v ? { name: v, value: get(v) } : first('POWER_AUTOMATE_TENANT_ID', 'AZURE_TENANT_ID'));
  const paClientId = (v?: string) => (v ? { name: v, value: get(v) } : first('POWER_AUTOMATE_CLIENT_ID', 'AZURE_CLIENT_ID'));
  const paSecret = (v?: string) => {
    const r = v ? { name: v, value: get(v) } : first('POWER_AUTOMATE_CLIENT_SECRET', 'AZURE_CLIENT_SECRET');
    if (r?.value) secrets.push(r.value);
    return r;
  };
  const paVars = (t?: string, c?: string, s?: string) => ({
    tenantId: t ?? 'POWER_AUTOMATE_TENANT_ID (or AZURE_TENANT_ID)',
    clientId: c ?? 'POWER_AUTOMATE_CLIENT_ID (or AZURE_CLIENT_ID)',
    clientSecret: s ?? 'POWER_AUTOMATE_CLIENT_SECRET (or AZURE_CLIENT_SECRET)',
  });
  if (file.powerautomate) {
    file.powerautomate.environments.forEach((e, i) => {
      candidates.powerautomate.push({
        scope: clean({ environmentUrl: e.environmentUrl, apiUrl: e.apiUrl, environmentId: e.environmentId, name: e.name, tenantId: tenant(e.tenantIdEnv)?.value, clientId: paClientId(e.clientIdEnv)?.value, clientSecret: paSecret(e.clientSecretEnv)?.value, authorityHost: get('AZURE_AUTHORITY_HOST') }),
        vars: { environmentUrl: `powerautomate.environments[${i}].environmentUrl`, ...paVars(e.tenantIdEnv, e.clientIdEnv, e.clientSecretEnv) },
        source: `config file powerautomate.environments[${i}]`,
      });
    });
  } else {
    const url = first('DATAVERSE_URL', 'POWER_AUTOMATE_ENVIRONMENT_URL');
    const sec = paSecret();
    if (url || get('POWER_AUTOMATE_CLIENT_ID') || get('POWER_AUTOMATE_CLIENT_SECRET') || sec?.value) {
      candidates.powerautomate.push({
        scope: clean({ environmentUrl: url?.value, apiUrl: get('DATAVERSE_API_URL'), environmentId: get('POWER_AUTOMATE_ENVIRONMENT_ID'), tenantId: tenant()?.value, clientId: paClientId()?.value, clientSecret: sec?.value, authorityHost: get('AZURE_AUTHORITY_HOST') }),
        vars: { environmentUrl: 'DATAVERSE_URL (or POWER_AUTOMATE_ENVIRONMENT_URL)', apiUrl: 'DATAVERSE_API_URL', environmentId: 'POWER_AUTOMATE_ENVIRONMENT_ID', ...paVars() },
        source: 'environment',
      });
    }
  }

  // Snowflake Tasks: the monitored account is configured apart from the audit store (tasks often run in
  // production accounts while the audit schema lives elsewhere). SNOWFLAKE_TASKS_* fall back to SNOWFLAKE_*.
  const sfConn = (prefix: string) => ({
    account: get(`${prefix}ACCOUNT`) ?? get('SNOWFLAKE_ACCOUNT'),
    username: get(`${prefix}USER`) ?? get('SNOWFLAKE_USER'),
    password: secret(get(`${prefix}PASSWORD`) ? `${prefix}PASSWORD` : 'SNOWFLAKE_PASSWORD'),
    privateKey: secret(get(`${prefix}PRIVATE_KEY`) ? `${prefix}PRIVATE_KEY` : 'SNOWFLAKE_PRIVATE_KEY'),
    privateKeyPath: get(`${prefix}PRIVATE_KEY_PATH`) ?? get('SNOWFLAKE_PRIVATE_KEY_PATH'),
    privateKeyPassphrase: secret(get(`${prefix}PRIVATE_KEY_PASSPHRASE`) ? `${prefix}PRIVATE_KEY_PASSPHRASE` : 'SNOWFLAKE_PRIVATE_KEY_PASSPHRASE'),
    authenticator: get(`${prefix}AUTHENTICATOR`) ?? get('SNOWFLAKE_AUTHENTICATOR'),
    role: get(`${prefix}ROLE`) ?? get('SNOWFLAKE_ROLE'),
    warehouse: get(`${prefix}WAREHOUSE`) ?? get('SNOWFLAKE_WAREHOUSE'),
    accessUrl: get(`${prefix}ACCESS_URL`) ?? get('SNOWFLAKE_ACCESS_URL'),
  });
  if (file.snowflake) {
    file.snowflake.accounts.forEach((a, i) => {
      candidates.snowflake.push({
        scope: clean({
          connection: clean({ account: a.account, username: a.user, role: a.role, warehouse: a.warehouse, accessUrl: a.accessUrl, authenticator: a.authenticator, password: secret(a.passwordEnv), privateKey: secret(a.privateKeyEnv), privateKeyPath: a.privateKeyPathEnv ? get(a.privateKeyPathEnv) : undefined, privateKeyPassphrase: secret(a.privateKeyPassphraseEnv) }),
          databases: a.databases,
          useAccountUsage: a.useAccountUsage,
          longestRunMs: a.longestRunHours ? a.longestRunHours * HOUR : undefined,
        }),
        vars: { connection: `snowflake.accounts[${i}]`, databases: `snowflake.accounts[${i}].databases` },
        source: `config file snowflake.accounts[${i}]`,
      });
    });
  } else {
    const dbs = get('SNOWFLAKE_TASKS_DATABASES');
    if (dbs) {
      candidates.snowflake.push({
        scope: clean({ connection: clean(sfConn('SNOWFLAKE_TASKS_')), databases: dbs.split(',').map((s) => s.trim()).filter(Boolean), useAccountUsage: get('SNOWFLAKE_TASKS_USE_ACCOUNT_USAGE') === 'true' ? true : undefined }),
        vars: { connection: 'SNOWFLAKE_TASKS_ACCOUNT/USER/PRIVATE_KEY… (or the SNOWFLAKE_* store variables)', databases: 'SNOWFLAKE_TASKS_DATABASES' },
        source: 'environment',
      });
    }
  }

  // Validate each candidate with its collector's own schema; a listed platform without a scope is an error.
  const scopes: ScopeConfig[] = [];
  const notEnabled: AuditConfig['notEnabled'] = [];
  for (const platform of PLATFORMS) {
    const isListed = listed?.includes(platform) ?? false;
    if (listed && !isListed) {
      notEnabled.push({ platform, reason: 'not in the platform list' });
      continue;
    }
    const cands = candidates[platform];
    if (cands.length === 0) {
      if (isListed) issues.push({ variable: platformHint(platform), message: `${platform} is listed as monitored but has no credentials (an empty secret counts as missing)` });
      else notEnabled.push({ platform, reason: `no credentials configured (${platformHint(platform)})` });
      continue;
    }
    const collector = COLLECTORS[platform];
    if (!collector) {
      issues.push({ variable: platformHint(platform), message: `${platform} is configured, but this version of pipeline-audit has no ${platform} collector yet` });
      continue;
    }
    const seen = new Set<string>();
    for (const c of cands) {
      const r = collector.scopeSchema.safeParse(c.scope);
      if (!r.success) {
        for (const i of r.error.issues) {
          const field = String(i.path[0] ?? '');
          const variable = c.vars[field] || (field ? `${c.source}: ${i.path.join('.')}` : `${c.source} (${platformHint(platform)})`);
          issues.push({ variable, message: i.message });
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

  // The store: Snowflake when configured (explicitly, or SNOWFLAKE_ACCOUNT + SNOWFLAKE_USER), else the DuckDB file.
  const storeKind = get('PIPELINE_AUDIT_STORE') ?? file.store?.kind ?? (get('SNOWFLAKE_ACCOUNT') && get('SNOWFLAKE_USER') ? 'snowflake' : 'duckdb');
  let store: StoreConfig;
  if (storeKind === 'snowflake') {
    const conn = sfConn('SNOWFLAKE_');
    const fileStore = file.store?.kind === 'snowflake' ? file.store : undefined;
    const database = get('SNOWFLAKE_DATABASE') ?? fileStore?.database ?? 'DEV_POWERAPPS';
    const schema = get('SNOWFLAKE_SCHEMA') ?? fileStore?.schema ?? 'AUDIT_JOB_HUB';
    for (const [name, v] of [['SNOWFLAKE_DATABASE', database], ['SNOWFLAKE_SCHEMA', schema]] as const) {
      if (!/^[A-Za-z_][A-Za-z0-9_$]{0,254}$/.test(v)) issues.push({ variable: name, message: `'${v}' is not a plain Snowflake identifier (letters, digits, _ and $)` });
    }
    if (!conn.account) issues.push({ variable: 'SNOWFLAKE_ACCOUNT', message: 'required for the Snowflake store' });
    if (!conn.username) issues.push({ variable: 'SNOWFLAKE_USER', message: 'required for the Snowflake store' });
    if (!conn.password && !conn.privateKey && !conn.privateKeyPath)
      issues.push({ variable: 'SNOWFLAKE_PRIVATE_KEY_PATH (or SNOWFLAKE_PRIVATE_KEY, SNOWFLAKE_PASSWORD)', message: 'the Snowflake store needs a key pair (recommended) or a password' });
    store = {
      kind: 'snowflake',
      settings: { ...(clean(conn) as Omit<SnowflakeStoreSettings, 'database' | 'schema'>), account: conn.account ?? '', username: conn.username ?? '', database, schema },
      spoolDir: get('PIPELINE_AUDIT_SPOOL_DIR') ?? fileStore?.spoolDir ?? null,
    };
  } else if (storeKind === 'duckdb') {
    const fileStore = file.store?.kind === 'duckdb' ? file.store : undefined;
    store = { kind: 'duckdb', path: resolve(cwd, get('PIPELINE_AUDIT_DUCKDB_PATH') ?? fileStore?.path ?? 'pipeline-audit.duckdb') };
  } else {
    issues.push({ variable: 'PIPELINE_AUDIT_STORE', message: `must be 'duckdb' or 'snowflake', got '${storeKind}'` });
    store = { kind: 'duckdb', path: resolve(cwd, 'pipeline-audit.duckdb') };
  }

  const config: AuditConfig = {
    scopes,
    enabled: PLATFORMS.filter((p) => scopes.some((s) => s.platform === p)),
    notEnabled,
    store,
    initialLookbackMs: num('PIPELINE_AUDIT_INITIAL_LOOKBACK_HOURS', file.window?.initialLookbackHours ?? 24, 0.01) * HOUR,
    cycleTimeoutMs: num('PIPELINE_AUDIT_CYCLE_TIMEOUT_MINUTES', file.window?.cycleTimeoutMinutes ?? 12, 0.1) * 60_000,
    limits: {
      maxPages: num('PIPELINE_AUDIT_MAX_PAGES', file.limits?.maxPages ?? 10_000, 1),
      maxDetailRequests: num('PIPELINE_AUDIT_MAX_DETAIL_REQUESTS', file.limits?.maxDetailRequests ?? 200, 0),
    },
    http: {
      retries: num('PIPELINE_AUDIT_HTTP_RETRIES', file.http?.retries ?? 4, 0),
      requestTimeoutMs: num('PIPELINE_AUDIT_HTTP_TIMEOUT_MS', file.http?.requestTimeoutMs ?? 60_000, 1),
      retryAfterCapMs: file.http?.retryAfterCapMs ?? 60_000,
    },
    secrets: [...new Set(secrets)].filter((s) => s.length >= 4),
    configFile: path,
  };
  if (issues.length > 0) throw new ConfigError(issues);
  return config;
}

function platformHint(p: Platform): string {
  switch (p) {
    case 'databricks':
      return 'DATABRICKS_HOST with DATABRICKS_TOKEN / DATABRICKS_API_KEY or DATABRICKS_CLIENT_ID + DATABRICKS_CLIENT_SECRET';
    case 'airbyte':
      return 'AIRBYTE_API_KEY or AIRBYTE_CLIENT_ID + AIRBYTE_CLIENT_SECRET';
    case 'powerautomate':
      return 'DATAVERSE_URL with POWER_AUTOMATE_TENANT_ID/CLIENT_ID/CLIENT_SECRET (or AZURE_*)';
    case 'snowflake':
      return 'SNOWFLAKE_TASKS_DATABASES with a Snowflake connection';
  }
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
