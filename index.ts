// The library entry: `runAudit`, configuration, the collectors, the run schema, the stores and the error types.
// Heavy drivers (DuckDB, snowflake-sdk, @azure/identity) load only when a store or collector that needs them runs.
export { runAudit, planChunks, type AuditDeps, type AuditLogger, type ProgressEvent } from './audit.js';
export { loadConfig, describeConfig, type AuditConfig, type ScopeConfig, type StoreConfig, type Env } from './config.js';
export { COLLECTORS, collectorFor } from './collectors/registry.js';
export { createHttpClient, paginate, parseRetryAfter, type HttpClient, type HttpRequest, type HttpResponse, type TokenProvider, type FetchLike } from './collectors/http.js';
export type { Collector, CollectContext, CollectWarning, TimeWindow, CheckResult } from './collectors/types.js';
export { airbyteCollector } from './collectors/airbyte.js';
export { databricksCollector } from './collectors/databricks.js';
export { powerAutomateCollector } from './collectors/powerautomate.js';
export { snowflakeTasksCollector } from './collectors/snowflake-tasks.js';
export * from './normalize/schema.js';
export { observationVersion, isNewer, dedupeNewest } from './normalize/order.js';
export { redact, redactDeep, headTail, safeUrl } from './normalize/redact.js';
export { openStore, type OpenStoreOptions } from './sinks/open.js';
export type { Store, UpsertResult, Coverage, Gap, CycleRecord, RunQuery, StatusChange, Lease } from './sinks/types.js';
export { renderText, summarizeFailed, type AuditReport, type ScopeReport, type FailedRunSummary } from './summarize/report.js';
export * from './errors.js';

/** Opens the embedded DuckDB store (loads the native module on first use). */
export async function openDuckDbStore(...args: Parameters<typeof import('./sinks/duckdb.js').openDuckDbStore>) {
  const m = await import('./sinks/duckdb.js');
  return m.openDuckDbStore(...args);
}

/** Opens the Snowflake store (loads snowflake-sdk on first use). */
export async function openSnowflakeStore(...args: Parameters<typeof import('./sinks/snowflake/store.js').openSnowflakeStore>) {
  const m = await import('./sinks/snowflake/store.js');
  return m.openSnowflakeStore(...args);
}
