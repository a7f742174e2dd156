// The store: Snowflake when configured (explicitly, or SNOWFLAKE_ACCOUNT + SNOWFLAKE_USER), else the DuckDB file.
import { resolve } from 'node:path';
import { snowflakeConnectionFromEnv } from '../connect/snowflake-env.js';
import type { ConfigIssue } from '../errors.js';
import type { SnowflakeStoreSettings, StoreConfig } from '../sinks/store/open.js';
import type { ConfigFile } from './file.js';
import type { EnvSource } from './source.js';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]{0,254}$/;

export function storeConfig(src: EnvSource, file: ConfigFile, cwd: string, issues: ConfigIssue[]): StoreConfig {
  const kind = src.get('PIPELINE_AUDIT_STORE') ?? file.store?.kind ?? (src.get('SNOWFLAKE_ACCOUNT') && src.get('SNOWFLAKE_USER') ? 'snowflake' : 'duckdb');
  if (kind === 'snowflake') {
    const conn = snowflakeConnectionFromEnv(src, 'SNOWFLAKE_');
    const fileStore = file.store?.kind === 'snowflake' ? file.store : undefined;
    const database = src.get('SNOWFLAKE_DATABASE') ?? fileStore?.database ?? 'DEV_POWERAPPS';
    const schema = src.get('SNOWFLAKE_SCHEMA') ?? fileStore?.schema ?? 'AUDIT_JOB_HUB';
    for (const [name, v] of [['SNOWFLAKE_DATABASE', database], ['SNOWFLAKE_SCHEMA', schema]] as const) {
      if (!IDENTIFIER.test(v)) issues.push({ variable: name, message: `'${v}' is not a plain Snowflake identifier (letters, digits, _ and $)` });
    }
    if (!conn.account) issues.push({ variable: 'SNOWFLAKE_ACCOUNT', message: 'required for the Snowflake store' });
    if (!conn.username) issues.push({ variable: 'SNOWFLAKE_USER', message: 'required for the Snowflake store' });
    if (!conn.password && !conn.privateKey && !conn.privateKeyPath)
      issues.push({ variable: 'SNOWFLAKE_PRIVATE_KEY_PATH (or SNOWFLAKE_PRIVATE_KEY, SNOWFLAKE_PASSWORD)', message: 'the Snowflake store needs a key pair (recommended) or a password' });
    const settings: SnowflakeStoreSettings = { ...conn, account: conn.account ?? '', username: conn.username ?? '', database, schema };
    return { kind: 'snowflake', settings, spoolDir: src.get('PIPELINE_AUDIT_SPOOL_DIR') ?? fileStore?.spoolDir ?? null };
  }
  if (kind !== 'duckdb') issues.push({ variable: 'PIPELINE_AUDIT_STORE', message: `must be 'duckdb' or 'snowflake', got '${kind}'` });
  const fileStore = file.store?.kind === 'duckdb' ? file.store : undefined;
  return { kind: 'duckdb', path: resolve(cwd, (kind === 'duckdb' ? (src.get('PIPELINE_AUDIT_DUCKDB_PATH') ?? fileStore?.path) : undefined) ?? 'pipeline-audit.duckdb') };
}
