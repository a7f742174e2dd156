// The cycle: runAudit(config, deps). Per (platform, scope) it computes the window from the store's recorded
// coverage, collects in chunks, commits each chunk and only then advances coverage. All scopes run concurrently;
// one that fails never stops the others and is reported as a blind spot. The clock, fetch, ids and the store come
// in through `deps`, so the cycle is deterministic under test.
import { randomUUID } from 'node:crypto';
import { createHttpClient, type FetchLike, type HttpClient } from './connect/http.js';
import { collectorFor } from './collectors/registry.js';
import type { AnyCollector, CollectContext, CollectWarning, TimeWindow } from './collectors/types.js';
import type { AuditConfig, ScopeConfig } from './config/load.js';
import { errorMessage, PipelineAuditError, SchemaVersionError, LeaseError } from './errors.js';
import { redact, redactDeep } from './normalize/redact.js';
import { JobSchema, RunSchema, SCHEMA_VERSION, TOOL_VERSION, type Job, type Platform, type Run, type RunObservation } from './normalize/schema.js';
import type { Store } from './sinks/store/types.js';
import { summarizeFailed, type AuditReport, type ScopeReport } from './summarize/report.js';


/** Minimal logger shape (pino's): library code never prints. */
export interface AuditLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export type ProgressEvent =
  | { type: 'scope-start'; platform: Platform; scope: string; window: TimeWindow }
  | { type: 'chunk-done'; platform: Platform; scope: string; chunk: number; chunks: number; runs: number }
  | { type: 'scope-done'; platform: Platform; scope: string; report: ScopeReport };

export interface AuditDeps {
  /** The store; null means it could not be opened (the cycle still collects and reports, writing nothing). */
  store: Store | null;
  storeError?: unknown;
  now?: () => Date;
  fetch?: FetchLike;
  newId?: () => string;
  logger?: AuditLogger;
  signal?: AbortSignal;
  onProgress?: (e: ProgressEvent) => void;
  /** Collect, write nothing. */
  dryRun?: boolean;
  /** Overrides every scope's window start (re-read history). */
  since?: Date;
  /** Only these platforms this cycle. */
  platforms?: readonly Platform[];
}

const silent: AuditLogger = { debug() {}, info() {}, warn() {}, error() {} };
const MAX_WARNINGS_KEPT = 100;
/** Failed runs kept in memory for the report (it lists the newest 200); the store has them all. */
const MAX_FAILED_KEPT = 10_000;

/** Runs one audit cycle and returns its report. Throws only when the monitor itself is broken. */
export async function runAudit(config: AuditConfig, deps: AuditDeps): Promise<AuditReport> {
  const now = deps.now ?? (() => new Date());
  const log = deps.logger ?? silent;
  const cycleId = (deps.newId ?? randomUUID)();
  const startedAt = now();
  const dryRun = deps.dryRun ?? false;
  const timeout = AbortSignal.timeout(config.cycleTimeoutMs);
  const signal = deps.signal ? AbortSignal.any([deps.signal, timeout]) : timeout;

  // The store: a schema that is behind is a broken monitor (throw); a store that is down is reported and the
  // cycle still collects, so the report says what failed. Coverage then stays put: nothing is lost.
  let store = deps.store;
  let storeError: string | null = deps.store || dryRun ? null : deps.storeError ? errorMessage(deps.storeError) : 'the store could not be opened';
  let leased = false;
  if (store && !dryRun) {
    try {
      await store.checkSchema();
      leased = await store.acquireLease(cycleId, config.cycleTimeoutMs + 120_000, startedAt);
    } catch (e) {
      if (e instanceof SchemaVersionError) throw e;
      storeError = errorMessage(e);
      store = null;
    }
    if (store && !leased) {
      const holder = (await store.readLease?.()) ?? { holder: 'another cycle', expiresAt: new Date(startedAt.getTime() + config.cycleTimeoutMs) };
      throw new LeaseError(holder.holder, holder.expiresAt);
    }
  }
  if (storeError) log.error({ err: redact(storeError, config.secrets) }, 'store unavailable: collecting without writing');

  const wanted = config.scopes.filter((s) => !deps.platforms || deps.platforms.includes(s.platform));
  const clients = new Map<Platform, HttpClient & { close(): Promise<void> }>();
  const clientFor = (platform: Platform, c: AnyCollector) => {
    let client = clients.get(platform);
    if (!client) {
      client = createHttpClient({
        signal,
        now,
        options: { ...config.http, concurrency: c.concurrency },
        secrets: config.secrets,
        userAgent: `pipeline-audit/${TOOL_VERSION}`,
        ...(deps.fetch ? { fetch: deps.fetch } : {}),
      });
      clients.set(platform, client);
    }
    return client;
  };

  const allRuns: Run[] = [];
  let scopes: ScopeReport[];
  try {
    scopes = await Promise.all(
      wanted.map((s) =>
        runScope(s, {
          config,
          store,
          dryRun,
          signal,
          now,
          log,
          cycleId,
          since: deps.since,
          http: clientFor(s.platform, collectorFor(s.platform)),
          onProgress: deps.onProgress,
          collected: allRuns,
        }),
      ),
    );
  } finally {
    await Promise.all([...clients.values()].map((c) => c.close()));
  }
  scopes.sort((a, b) => (a.platform + a.scope < b.platform + b.scope ? -1 : 1));

  const blindSpots = scopes
    .filter((s) => s.error || !s.complete)
    .map((s) => ({ platform: s.platform, scope: s.scope, reason: s.error ?? s.incomplete.join('; ') }));
  const failedRuns = summarizeFailed(allRuns);
  const runsWritten = scopes.reduce((n, s) => n + s.runsInserted + s.runsUpdated, 0);
  const report: AuditReport = {
    cycleId,
    toolVersion: TOOL_VERSION,
    startedAt: startedAt.toISOString(),
    endedAt: now().toISOString(),
    dryRun,
    outcome: storeError ? 'failed' : blindSpots.length > 0 ? 'partial' : 'ok',
    store: { kind: config.store.kind, ok: storeError === null, error: storeError ? redact(storeError, config.secrets) : null },
    scopes,
    notEnabled: config.notEnabled,
    blindSpots,
    totals: {
      runsSeen: scopes.reduce((n, s) => n + s.runsSeen, 0),
      runsWritten,
      failedRuns: failedRuns.length,
      warnings: scopes.reduce((n, s) => n + s.warnings.length, 0),
      requests: scopes.reduce((n, s) => n + s.requests, 0),
    },
    failedRuns,
  };

  // The cycle row is written last: it is the commit marker that says this cycle finished.
  if (store && !dryRun) {
    try {
      await store.recordCycle({
        cycleId,
        startedAt,
        endedAt: new Date(report.endedAt),
        outcome: report.outcome,
        runsSeen: report.totals.runsSeen,
        runsWritten,
        failedRuns: failedRuns.length,
        warnings: report.totals.warnings,
        report,
        toolVersion: TOOL_VERSION,
      });
    } catch (e) {
      report.store = { kind: config.store.kind, ok: false, error: redact(errorMessage(e), config.secrets) };
      report.outcome = 'failed';
    } finally {
      if (leased) await store.releaseLease(cycleId).catch((e: unknown) => log.warn({ err: errorMessage(e) }, 'could not release the store lease'));
    }
  }
  return report;
}

interface ScopeArgs {
  config: AuditConfig;
  store: Store | null;
  dryRun: boolean;
  signal: AbortSignal;
  now: () => Date;
  log: AuditLogger;
  cycleId: string;
  since: Date | undefined;
  http: HttpClient;
  onProgress: ((e: ProgressEvent) => void) | undefined;
  collected: Run[];
}

/** Splits [start, end) into chunks of at most `max` ms, oldest first. */
export function planChunks(start: Date, end: Date, max: number): TimeWindow[] {
  const out: TimeWindow[] = [];
  for (let t = start.getTime(); t < end.getTime(); t += max) out.push({ start: new Date(t), end: new Date(Math.min(t + max, end.getTime())) });
  return out;
}

async function runScope(s: ScopeConfig, a: ScopeArgs): Promise<ScopeReport> {
  const collector = collectorFor(s.platform);
  const requestsBefore = { ...a.http.stats };
  const report: ScopeReport = {
    platform: s.platform,
    scope: s.scopeId,
    complete: false,
    window: null,
    coveredUntil: null,
    chunks: { planned: 0, committed: 0 },
    runsSeen: 0,
    runsInserted: 0,
    runsUpdated: 0,
    runsRejected: 0,
    jobsSeen: 0,
    failedRuns: 0,
    requests: 0,
    retries: 0,
    throttled: 0,
    warnings: [],
    incomplete: [],
    gaps: [],
    error: null,
  };
  const warn = (w: CollectWarning) => {
    // Warnings are counted in full but only the first hundred are kept with their text.
    const clean = { ...w, message: redact(w.message, a.config.secrets) };
    if (report.warnings.length < MAX_WARNINGS_KEPT) report.warnings.push(clean);
    else if (report.warnings.length === MAX_WARNINGS_KEPT) report.warnings.push({ code: 'warnings-truncated', message: 'more warnings were not kept' });
    a.log.warn({ platform: s.platform, scope: s.scopeId, ...clean }, 'collector warning');
  };
  const ctx: CollectContext<unknown> = {
    platform: s.platform,
    scope: s.scope,
    scopeId: s.scopeId,
    http: a.http,
    signal: a.signal,
    now: a.now,
    limits: a.config.limits,
    warn,
    // Incompleteness of runs is tracked per chunk (each chunk gets its own context); an inventory that could not
    // be read in full is a warning: it does not hold coverage back.
    incomplete: (reason) => warn({ code: 'inventory-incomplete', message: reason }),
  };

  try {
    const cycleNow = a.now();
    const coverage = a.store ? await a.store.getCoverage(s.platform, s.scopeId) : null;
    if (coverage) report.coveredUntil = coverage.coveredUntil.toISOString();
    let start: Date;
    if (a.since) start = a.since;
    else if (coverage) start = new Date(coverage.coveredUntil.getTime() - collector.overlapMs);
    else start = new Date(cycleNow.getTime() - a.config.initialLookbackMs);
    // Bounded by the vendor's retention: what fell out of it can never be read again; say so once, in the store.
    const earliest = new Date(cycleNow.getTime() - collector.retentionMs);
    if (start < earliest) {
      if (coverage && !a.since) {
        report.gaps.push({ from: start.toISOString(), to: earliest.toISOString() });
        if (a.store && !a.dryRun) await a.store.recordGap({ platform: s.platform, scope: s.scopeId, from: start, to: earliest, cycleId: a.cycleId, recordedAt: cycleNow });
      }
      start = earliest;
    }
    report.window = { start: start.toISOString(), end: cycleNow.toISOString() };
    a.onProgress?.({ type: 'scope-start', platform: s.platform, scope: s.scopeId, window: { start, end: cycleNow } });

    // Inventory first: it tells "no runs" from "no access", and it names the runs' jobs.
    await collectJobs(collector, ctx, s, a, report);

    const chunks = planChunks(start, cycleNow, collector.maxChunkMs);
    report.chunks.planned = chunks.length;
    // Chunk i+1 is collected while chunk i is normalized and written: the store's work hides behind the next
    // chunk's network waits. Chunks still commit, and coverage still advances, strictly in order.
    const collect = (i: number) => {
      const chunk = chunks[i]!;
      const incomplete: string[] = [];
      const firstRequestAt = a.now();
      const chunkCtx: CollectContext<unknown> = { ...ctx, incomplete: (reason) => incomplete.push(redact(reason, a.config.secrets)) };
      const observed = collector.collectRuns(chunkCtx, i > 0 ? { ...chunk, continuation: true } : chunk);
      observed.catch(() => undefined); // awaited below; a prefetch abandoned after a failure must not go unhandled
      return { chunk, incomplete, firstRequestAt, observed };
    };
    let complete = true;
    let next = chunks.length > 0 && !a.signal.aborted ? collect(0) : undefined;
    for (let i = 0; i < chunks.length; i++) {
      if (a.signal.aborted || !next) {
        report.incomplete.push(`cut off by the cycle time limit after ${i} of ${chunks.length} chunks; the next cycle resumes from ${chunks[i]!.start.toISOString()}`);
        complete = false;
        break;
      }
      const current = next;
      let observed: RunObservation[];
      try {
        observed = await current.observed;
      } catch (e) {
        if (!a.signal.aborted) throw e;
        report.incomplete.push(`cut off by the cycle time limit after ${i} of ${chunks.length} chunks; the next cycle resumes from ${chunks[i]!.start.toISOString()}`);
        complete = false;
        break;
      }
      next = i + 1 < chunks.length && current.incomplete.length === 0 && !a.signal.aborted ? collect(i + 1) : undefined;
      // Let the next chunk's first requests go out before this chunk's validation (synchronous, ~0.1 ms a run)
      // holds the event loop: otherwise every chunk boundary adds that CPU time to the cycle's chain of waits.
      if (next) await new Promise<void>((resolve) => setImmediate(resolve));
      const runs = await toRuns(observed, s, a, report, warn);
      report.runsSeen += runs.length;
      for (const r of runs) {
        if (r.status.category !== 'failed' || !r.isFinalAttempt) continue;
        report.failedRuns++;
        if (a.collected.length < MAX_FAILED_KEPT) a.collected.push(r);
      }
      if (a.store && !a.dryRun) {
        const res = await a.store.upsertRuns(runs);
        report.runsInserted += res.inserted;
        report.runsUpdated += res.updated;
        if (res.quarantined > 0) warn({ code: 'quarantined', message: `${res.quarantined} run(s) could not be stored for their data and were set aside in the quarantine table` });
      }
      if (current.incomplete.length > 0) {
        report.incomplete.push(...current.incomplete);
        complete = false;
        break; // coverage stays before this chunk: the next cycle re-reads it from the vendor
      }
      // Committed and complete: coverage advances to the chunk's end, or, for the chunk that reaches "now", to the
      // moment its first request went out (anything that changed after that is re-read next cycle).
      const coveredUntil = new Date(Math.min(current.chunk.end.getTime(), current.firstRequestAt.getTime()));
      if (a.store && !a.dryRun) {
        await a.store.recordCoverage({ platform: s.platform, scope: s.scopeId, coveredUntil, cycleId: a.cycleId, updatedAt: a.now() });
        report.coveredUntil = coveredUntil.toISOString();
      }
      report.chunks.committed++;
      a.onProgress?.({ type: 'chunk-done', platform: s.platform, scope: s.scopeId, chunk: i + 1, chunks: chunks.length, runs: runs.length });
    }
    report.complete = complete && a.store !== null;
    if (!a.store && !a.dryRun) report.incomplete.push('nothing was written: the store is unavailable');
    if (a.dryRun) report.complete = complete;
  } catch (e) {
    report.complete = false;
    report.error = describeError(e, a.config.secrets);
    a.log.error({ platform: s.platform, scope: s.scopeId, err: report.error }, 'scope failed');
  } finally {
    report.requests = a.http.stats.requests - requestsBefore.requests;
    report.retries = a.http.stats.retries - requestsBefore.retries;
    report.throttled = a.http.stats.throttled - requestsBefore.throttled;
  }
  a.onProgress?.({ type: 'scope-done', platform: s.platform, scope: s.scopeId, report });
  return report;
}

async function collectJobs(collector: AnyCollector, ctx: CollectContext<unknown>, s: ScopeConfig, a: ScopeArgs, report: ScopeReport): Promise<void> {
  const observed = await collector.listJobs(ctx);
  const seenAt = a.now();
  const jobs: Job[] = [];
  for (const o of observed) {
    const parsed = JobSchema.safeParse(redactDeep({ ...o, schemaVersion: SCHEMA_VERSION, firstSeenAt: seenAt, lastSeenAt: seenAt, cycleId: a.cycleId }, a.config.secrets));
    if (parsed.success && parsed.data.platform === s.platform && parsed.data.scope === s.scopeId) jobs.push(parsed.data);
    else ctx.warn({ code: 'invalid-job', message: parsed.success ? 'job reported for another scope' : issueText(parsed.error.issues), itemId: o.jobId });
  }
  report.jobsSeen = jobs.length;
  if (a.store) {
    // A scope whose inventory shrinks to nothing has most likely lost access, not all its jobs.
    if (jobs.length === 0) {
      const before = (await a.store.readJobs(s.platform)).filter((j) => j.scope === s.scopeId && !j.deleted).length;
      if (before > 0) ctx.warn({ code: 'inventory-empty', message: `the platform lists no jobs now, where ${before} were seen before: check the credentials' permissions` });
    }
    if (!a.dryRun && jobs.length > 0) await a.store.upsertJobs(jobs);
  }
}

/** Runs validated between two yields to the event loop. */
const VALIDATE_SLICE = 250;

/**
 * Validates a chunk's observations into stored runs. It yields to the event loop every VALIDATE_SLICE runs: a
 * chunk can hold thousands, and one synchronous pass (~0.1 ms a run) would hold up the other platforms' pages
 * (scopes run side by side on this one thread), adding its whole length to their chains of waits.
 */
async function toRuns(observed: readonly unknown[], s: ScopeConfig, a: ScopeArgs, report: ScopeReport, warn: (w: CollectWarning) => void): Promise<Run[]> {
  const seenAt = a.now();
  const out: Run[] = [];
  let sinceYield = 0;
  for (const o of observed) {
    if (++sinceYield > VALIDATE_SLICE) {
      sinceYield = 0;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const obj = (o ?? {}) as Record<string, unknown>;
    const parsed = RunSchema.safeParse(redactDeep({ ...obj, schemaVersion: SCHEMA_VERSION, firstSeenAt: seenAt, lastSeenAt: seenAt, cycleId: a.cycleId }, a.config.secrets));
    if (!parsed.success) {
      report.runsRejected++;
      warn({ code: 'invalid-run', message: issueText(parsed.error.issues), itemId: typeof obj.runId === 'string' ? obj.runId : undefined });
      continue;
    }
    if (parsed.data.platform !== s.platform || parsed.data.scope !== s.scopeId) {
      report.runsRejected++;
      warn({ code: 'invalid-run', message: `run reported for ${parsed.data.platform}/${parsed.data.scope}, not this scope`, itemId: parsed.data.runId });
      continue;
    }
    out.push(parsed.data);
  }
  return out;
}

function issueText(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  return issues
    .slice(0, 3)
    .map((i) => `${i.path.map(String).join('.') || '(item)'}: ${i.message}`)
    .join('; ');
}

function describeError(e: unknown, secrets: readonly string[]): string {
  const msg = e instanceof PipelineAuditError || e instanceof Error ? e.message : String(e);
  return redact(msg, secrets);
}
