// The library entry: the cycle (`runCycle` with the configured store, `runAudit` with your own), configuration,
// the doctor's checks, the platform modules and their collectors, the run schema, the stores, the assessment, the one
// LLM call, the digest and its transports, and the error types.
// Heavy drivers (DuckDB, snowflake-sdk, @azure/identity) load only when a store or collector that needs them runs.
export { runAudit, planChunks, type AuditDeps, type AuditLogger, type ProgressEvent } from './audit.js';
export { runCycle, type RunCycleOptions } from './cycle.js';
export { runDoctor, type DoctorFinding, type DoctorDeps } from './doctor.js';
export { assessHealth, assessStored, snapshotFromRuns, DEFAULT_ASSESSMENT, type HealthDeps, type HealthOutcome } from './health.js';
export { deliverPlan, contentHash, messageIdFor, type DeliverDeps, type AllClearTeam } from './deliver.js';
export { retryQuarantine, type QuarantineRetryResult } from './quarantine.js';
export { assess, AssessConfigSchema, routeTeam, type AssessConfig, type AssessConfigInput, type AssessResult, type TeamConfig } from './summarize/assess/index.js';
export { summarizeWithModel, deterministicAssessment, type Assessment } from './summarize/llm/assessment.js';
export { loadTokenizer } from './summarize/llm/prompt.js';
export { createModel, type LlmConfig } from './summarize/llm/provider.js';
export { renderDigest, toDigestAssessment, type DigestAssessment, type RenderedDigest } from './summarize/digest/index.js';
export { renderStepSummary } from './summarize/step-summary.js';
export { createTransport, type DeliveryConfig } from './sinks/mail/factory.js';
export { createOutboxTransport } from './sinks/mail/outbox.js';
export { createSmtpTransport } from './sinks/mail/smtp.js';
export { createGraphTransport } from './sinks/mail/graph.js';
export type { MailTransport, MailMessage, SendResult } from './sinks/mail/types.js';
export { DeliveryError } from './sinks/mail/types.js';
export { pingHeartbeat } from './sinks/heartbeat.js';
export { createCleaner } from './normalize/clean.js';
export { wellFormed, truncate, escapeForTerminal } from './normalize/text.js';
export { loadConfig, describeConfig, type AuditConfig, type ScopeConfig, type StoreConfig, type Env } from './config/load.js';
export { PLATFORM_MODULES, COLLECTORS, collectorFor, platformModule } from './collectors/registry.js';
export type { PlatformModule, PlatformConfigReader, ConfigSource, ScopeCandidate, Capability } from './collectors/module.js';
export { createHttpClient, parseRetryAfter, type HttpClient, type HttpRequest, type HttpResponse, type FetchLike } from './connect/http.js';
export { paginate } from './connect/paging.js';
export { staticToken, cachingTokenProvider, type TokenProvider } from './connect/tokens.js';
export type { Collector, CollectContext, CollectWarning, TimeWindow, CheckResult, EmitRuns } from './collectors/types.js';
export { collectAll } from './collectors/stream.js';
export { airbyteCollector } from './collectors/airbyte/index.js';
export { databricksCollector } from './collectors/databricks/index.js';
export { powerAutomateCollector } from './collectors/powerautomate/index.js';
export { snowflakeTasksCollector } from './collectors/snowflake-tasks/index.js';
export * from './normalize/schema.js';
export * from './normalize/incident.js';
export { observationVersion, isNewer, dedupeNewest } from './normalize/order.js';
export { redact, redactDeep, headTail, safeUrl } from './normalize/redact.js';
export { openStore, type OpenStoreOptions } from './sinks/store/open.js';
export type { Store, UpsertResult, Coverage, Gap, CycleRecord, RunQuery, StatusChange, Lease, QuarantineItem } from './sinks/store/types.js';
export { renderText, renderHealthText, summarizeFailed, type AuditReport, type ScopeReport, type FailedRunSummary, type ReportWarning, type HealthSummary } from './summarize/report.js';
export * from './errors.js';

/** Opens the embedded DuckDB store (loads the native module on first use). */
export async function openDuckDbStore(...args: Parameters<typeof import('./sinks/store/duckdb.js').openDuckDbStore>) {
  const m = await import('./sinks/store/duckdb.js');
  return m.openDuckDbStore(...args);
}

/** Opens the Snowflake store (loads snowflake-sdk on first use). */
export async function openSnowflakeStore(...args: Parameters<typeof import('./sinks/store/snowflake.js').openSnowflakeStore>) {
  const m = await import('./sinks/store/snowflake.js');
  return m.openSnowflakeStore(...args);
}
