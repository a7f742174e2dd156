// Opens the configured store. The drivers load lazily: a library user who only uses DuckDB never loads
// snowflake-sdk, and one on Snowflake never loads the DuckDB native module.
import type { SnowflakeSettings } from '../../connect/snowflake.js';
import type { Store } from './types.js';

export type SnowflakeStoreSettings = SnowflakeSettings & { database: string; schema: string };

/** Which store, and where. */
export type StoreConfig =
  | { kind: 'duckdb'; path: string }
  | { kind: 'snowflake'; settings: SnowflakeStoreSettings; spoolDir: string | null };

export interface OpenStoreOptions {
  /** Read-only access (DuckDB allows one writer; queries that only read open the file read-only). */
  readOnly?: boolean;
  /** Tags every Snowflake statement: tool, version and cycle id. */
  queryTag: string;
  now?: () => Date;
  /** Snowflake: the latest moment a statement may run (the cycle's time limit, on `now`). DuckDB is local: none. */
  deadline?: Date;
}

export async function openStore(cfg: StoreConfig, opts: OpenStoreOptions): Promise<Store> {
  if (cfg.kind === 'duckdb') {
    const { openDuckDbStore } = await import('./duckdb.js');
    return openDuckDbStore(cfg.path, { readOnly: opts.readOnly ?? false, ...(opts.now ? { now: opts.now } : {}) });
  }
  const { openSnowflakeStore } = await import('./snowflake.js');
  return openSnowflakeStore(cfg.settings, { queryTag: opts.queryTag, spoolDir: cfg.spoolDir, ...(opts.now ? { now: opts.now } : {}), ...(opts.deadline ? { deadline: opts.deadline } : {}) });
}
