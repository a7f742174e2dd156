// The cycle: runAudit(config, deps). Per (platform, scope) it computes the window from the store's recorded
// coverage, collects in chunks, commits each chunk and only then advances coverage. All scopes run concurrently;
// one that fails never stops the others and is reported as a blind spot. The clock, fetch, ids and the store come
// in through `deps`, so the cycle is deterministic under test.
import { randomUUID } from 'node:crypto';
import { createHttpClient, type FetchLike, type HttpClient } from './connect/http.js';
import { collectorFor } from './collectors/registry.js';
import { createMemo } from './collectors/memo.js';
import type { AnyCollector, CollectContext, CollectWarning, EmitRuns, TimeWindow } from './collectors/types.js';
import { runBatcher, type RunBatcher } from './write-batches.js';
import type { AuditConfig, ScopeConfig } from './config/load.js';
import { errorMessage, PipelineAuditError, SchemaVersionError, LeaseError } from './errors.js';
import { createCleaner, type Cleaner } from './normalize/clean.js';
import { redact, redactDeep } from './normalize/redact.js';
import { truncate, wellFormed } from './normalize/text.js';
import { JobSchema, RunSchema, SCHEMA_VERSION, TOOL_VERSION, type Job, type Platform, type Run } from './normalize/schema.js';
import type { QuarantineItem, Store } from './sinks/store/types.js';
import { summarizeFailed, type AuditReport, type HealthSummary, type ScopeReport } from './summarize/report.js';
import type { LanguageModel } from 'ai';
import { assessHealth, DEFAULT_ASSESSMENT, type HealthOutcome } from './health.js';
import { createModel } from './summarize/llm/provider.js';
import { deliverPlan } from './deliver.js';
import { createTransport } from './sinks/mail/factory.js';
import { createOutboxTransport } from './sinks/mail/outbox.js';
import type { MailTransport } from './sinks/mail/types.js';
import type { DeliveryOutcome } from './summarize/step-summary.js';
import { budgetUse, type BudgetUse } from './summarize/budgets.js';


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
  /** The model for the one LLM call (tests inject one); absent: built from `config.llm`; null: none. */
  model?: LanguageModel | null;
  /** false: collect and store only, no assessment (the benchmark's collection figures). */
  assess?: boolean;
  /**
   * How digests go out: absent, the configuration's (`config.delivery`; none when that is absent too); null, no
   * delivery this cycle. A dry run writes to the configured outbox folder only and never touches the ledger.
   */
  transport?: MailTransport | null;
  /** Called with the assessment's full outcome before the cycle row is written. */
  onHealth?: (health: HealthOutcome, report: AuditReport) => void | Promise<void>;
  /** Runs per store write (write-batches.ts DEFAULT_BATCH_RUNS): what a scope holds is bounded by about twice it. */
  batchRuns?: number;
  /** How often the write lease is renewed (default 30 s; it lapses 2 minutes after the last renewal). */
  leaseRenewMs?: number;
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
  // A lease that could not be renewed (the store is gone, or another cycle took a lapsed lease) stops the cycle.
  const leaseLost = new AbortController();
  const signal = AbortSignal.any([timeout, leaseLost.signal, ...(deps.signal ? [deps.signal] : [])]);

  // The store: a schema that is behind is a broken monitor (throw); a store that is down is reported and the
  // cycle still collects, so the report says what failed. Coverage then stays put: nothing is lost.
  let store = deps.store;
  let storeError: string | null = deps.store || dryRun ? null : deps.storeError ? errorMessage(deps.storeError) : 'the store could not be opened';
  let leased = false;
  if (store && !dryRun) {
    try {
      // The schema check rides on the lease's statements (SchemaVersionError before anything is written).
      leased = await store.beginCycle(cycleId, LEASE_TTL_MS, startedAt);
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
  const heartbeat = store && leased ? leaseHeartbeat(store, cycleId, now) : null;
  const renewals = heartbeat
    ? setInterval(() => {
        void heartbeat.tick().then((ok) => {
          if (!ok) {
            log.error({ cycleId }, 'the store lease could not be renewed: stopping the cycle');
            leaseLost.abort(new Error('the store lease could not be renewed'));
          }
        });
      }, deps.leaseRenewMs ?? LEASE_RENEW_MS)
    : null;
  renewals?.unref();
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
        collectScope(s, {
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
          batchRuns: deps.batchRuns,
        }),
      ),
    );
  } finally {
    await Promise.all([...clients.values()].map((c) => c.close()));
  }
  scopes.sort((a, b) => (a.platform + a.scope < b.platform + b.scope ? -1 : 1));
  const collectedS = (now().getTime() - startedAt.getTime()) / 1000;

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
    budgets: scopes.map((s) => budgetUse(s.platform, s.scope, s.requests, collectedS)).filter((b): b is BudgetUse => b !== null),
  };

  // Assess: from the store's bounded snapshot (or this cycle's collection alone when the store is down), keep the
  // incidents, make the one LLM call when there is news. A failure here is reported, never the end of the cycle.
  if (deps.assess !== false) {
    try {
      const health = await assessHealth({
        store,
        config: config.assessment ?? DEFAULT_ASSESSMENT,
        report,
        scopes: wanted.map((s) => ({ platform: s.platform, scope: s.scopeId })),
        collected: allRuns,
        now,
        cycleId,
        model: deps.model !== undefined ? deps.model : await createModel(config.llm ?? null),
        modelName: config.llm?.model ?? null,
        ...(deps.signal ? { signal: deps.signal } : {}),
        dryRun,
        secrets: config.secrets,
      });
      report.health = healthSummary(health);
      if (deps.onHealth) await deps.onHealth(health, report);
      const deliveries = await notify(config, deps, health, { store, now, cycleId, dryRun, log });
      if (deliveries) report.health.deliveries = deliveries;
    } catch (e) {
      log.error({ err: redact(errorMessage(e), config.secrets) }, 'the health assessment failed');
      report.outcome = report.outcome === 'ok' ? 'partial' : report.outcome;
      report.blindSpots.push({ platform: 'monitor', scope: 'assessment', reason: `the health assessment failed: ${redact(errorMessage(e), config.secrets)}` });
    }
  }
  report.endedAt = now().toISOString();

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
      if (renewals) clearInterval(renewals);
      if (leased) await store.releaseLease(cycleId).catch((e: unknown) => log.warn({ err: errorMessage(e) }, 'could not release the store lease'));
    }
  }
  if (renewals) clearInterval(renewals);
  return report;
}

/**
 * The write lease is short and renewed while the cycle runs: a cycle killed with -9 (a cancelled runner) leaves a
 * lease that lapses within LEASE_TTL_MS, so the next scheduled cycle is not locked out for a whole cycle's length.
 */
export const LEASE_TTL_MS = 120_000;
export const LEASE_RENEW_MS = 30_000;

export function leaseHeartbeat(store: Store, holder: string, now: () => Date, ttlMs = LEASE_TTL_MS): { tick(): Promise<boolean> } {
  return {
    tick: () => store.acquireLease(holder, ttlMs, now()).catch(() => false),
  };
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
  batchRuns: number | undefined;
}

/** A local clock further than this from a vendor's Date header is a blind spot (Date has one-second resolution). */
export const CLOCK_SKEW_LIMIT_MS = 5 * 60_000;

function formatSkew(ms: number): string {
  const m = Math.round(Math.abs(ms) / 60_000);
  return m >= 2 * 24 * 60 ? `${Math.round(m / 1440)} days` : m >= 120 ? `${Math.round(m / 60)} hours` : `${m} minutes`;
}

/** Splits [start, end) into chunks of at most `max` ms, oldest first. */
export function planChunks(start: Date, end: Date, max: number): TimeWindow[] {
  const out: TimeWindow[] = [];
  for (let t = start.getTime(); t < end.getTime(); t += max) out.push({ start: new Date(t), end: new Date(Math.min(t + max, end.getTime())) });
  return out;
}

async function collectScope(cfg: ScopeConfig, args: ScopeArgs): Promise<ScopeReport> {
  const collector = collectorFor(cfg.platform);
  const requestsBefore = { ...args.http.stats };
  const report: ScopeReport = {
    platform: cfg.platform,
    scope: cfg.scopeId,
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
  // One pass over each run for text and secrets, remembering repeated strings for the whole scope (normalize/clean.ts).
  const cleaner = createCleaner(args.config.secrets);
  const warn = (w: CollectWarning) => {
    // Warnings are counted in full but only the first hundred are kept with their text.
    const clean = { ...w, message: redact(w.message, args.config.secrets) };
    if (report.warnings.length < MAX_WARNINGS_KEPT) report.warnings.push(clean);
    else if (report.warnings.length === MAX_WARNINGS_KEPT) report.warnings.push({ code: 'warnings-truncated', message: 'more warnings were not kept' });
    args.log.warn({ platform: cfg.platform, scope: cfg.scopeId, ...clean }, 'collector warning');
  };
  const ctx: CollectContext<unknown> = {
    platform: cfg.platform,
    scope: cfg.scope,
    scopeId: cfg.scopeId,
    http: args.http,
    signal: args.signal,
    now: args.now,
    limits: args.config.limits,
    warn,
    // Incompleteness of runs is tracked per chunk (each chunk gets its own context); an inventory that could not
    // be read in full is a warning: it does not hold coverage back.
    incomplete: (reason) => warn({ code: 'inventory-incomplete', message: reason }),
    // One memo per scope per cycle: catch-up chunks share one token provider until the token nears expiry.
    memo: createMemo(),
  };

  let committed: Promise<void> = Promise.resolve();
  let batcher: RunBatcher | undefined;
  try {
    const cycleNow = args.now();
    const coverage = args.store ? await args.store.getCoverage(cfg.platform, cfg.scopeId) : null;
    if (coverage) report.coveredUntil = coverage.coveredUntil.toISOString();

    // Inventory first: it tells "no runs" from "no access", it names the runs' jobs, and its answers carry the
    // vendor's clock (the Date header), which the window below is checked against.
    await collectJobs(collector, ctx, cfg, args, report);
    const skewMs = args.http.stats.clockSkewMs ?? null;
    report.clockSkewMs = skewMs;
    const skewed = skewMs !== null && Math.abs(skewMs) > CLOCK_SKEW_LIMIT_MS;
    // The window ends at the vendor's "now" when the local clock is known to be off: never in the future.
    const windowEnd = skewed ? new Date(cycleNow.getTime() - skewMs) : cycleNow;

    let start: Date;
    if (args.since) start = args.since;
    else if (coverage && coverage.coveredUntil.getTime() <= windowEnd.getTime() + CLOCK_SKEW_LIMIT_MS) start = new Date(coverage.coveredUntil.getTime() - collector.overlapMs);
    else if (coverage) {
      // Coverage recorded in the future: a clock that ran ahead when it was written. Read the initial lookback again
      // (the keyed MERGE makes the re-read harmless) rather than wait for the future to arrive.
      warn({ code: 'coverage-in-future', message: `the recorded coverage (${coverage.coveredUntil.toISOString()}) is ahead of now (${windowEnd.toISOString()}): a clock was ahead when it was recorded; re-reading the last ${Math.round(args.config.initialLookbackMs / 3_600_000)} h` });
      start = new Date(windowEnd.getTime() - args.config.initialLookbackMs);
    } else start = new Date(windowEnd.getTime() - args.config.initialLookbackMs);
    // Bounded by the vendor's retention: what fell out of it can never be read again; say so once, in the store.
    // Never from a skewed clock: a clock running ahead would "see" a gap that does not exist.
    const earliest = new Date(windowEnd.getTime() - collector.retentionMs);
    if (start < earliest) {
      if (coverage && !args.since && !skewed) {
        report.gaps.push({ from: start.toISOString(), to: earliest.toISOString() });
        if (args.store && !args.dryRun) await args.store.recordGap({ platform: cfg.platform, scope: cfg.scopeId, from: start, to: earliest, cycleId: args.cycleId, recordedAt: cycleNow });
      }
      start = earliest;
    }
    if (skewed) {
      report.incomplete.push(
        `the local clock is ${formatSkew(skewMs)} ${skewMs > 0 ? 'ahead of' : 'behind'} ${cfg.platform}'s clock (its Date header): runs are read and stored, but coverage and gaps are not recorded until the clock is corrected`,
      );
    }
    report.window = { start: start.toISOString(), end: windowEnd.toISOString() };
    args.onProgress?.({ type: 'scope-start', platform: cfg.platform, scope: cfg.scopeId, window: { start, end: windowEnd } });

    const chunks = planChunks(start, windowEnd, collector.maxChunkMs);
    report.chunks.planned = chunks.length;
    const write = args.store && !args.dryRun ? args.store : null;
    batcher = runBatcher(async (runs, setAside) => {
      if (!write) return;
      // Items that fail validation are never dropped: they are set aside with their payload, counted, and
      // `pipeline-audit quarantine retry` re-processes them after an upgrade.
      if (setAside.length > 0) await write.quarantineItems(setAside);
      if (runs.length === 0) return;
      const res = await write.upsertRuns(runs);
      report.runsInserted += res.inserted;
      report.runsUpdated += res.updated;
      if (res.quarantined > 0) warn({ code: 'quarantined', message: `${res.quarantined} run(s) could not be stored for their data and were set aside in the quarantine table` });
    }, args.batchRuns);
    const chunkWriter = batcher;
    // Runs stream from the collector's pages into bounded batches, each written while the next fills (the wait for
    // a batch that cannot go out yet holds the paging back). Chunks are collected one after another; a chunk's last
    // batch is written, and its coverage recorded, while the next chunk is collected. Coverage still advances
    // strictly in order, and only over chunks collected complete and written in full.
    let complete = true;
    const cutOff = async () => {
      await committed;
      const done = report.chunks.committed;
      report.incomplete.push(`cut off by the cycle time limit after ${done} of ${chunks.length} chunks; the next cycle resumes from ${chunks[done]!.start.toISOString()}`);
      complete = false;
    };
    for (let i = 0; i < chunks.length; i++) {
      chunkWriter.check();
      if (args.signal.aborted) {
        await cutOff();
        break;
      }
      const chunk = chunks[i]!;
      const incomplete: string[] = [];
      const firstRequestAt = args.now();
      let chunkRuns = 0;
      // Items the collector's boundary schemas refused: they go out with the next batch.
      const refused: QuarantineItem[] = [];
      const chunkCtx: CollectContext<unknown> = {
        ...ctx,
        incomplete: (reason) => incomplete.push(redact(reason, args.config.secrets)),
        reject: (r) => {
          report.runsRejected++;
          const item = cleaner.clean(r.item);
          refused.push({ platform: cfg.platform, scope: cfg.scopeId, itemId: truncate(wellFormed(r.itemId ?? '(none)'), 1000), reason: redact(wellFormed(r.reason), args.config.secrets), payload: boundedPayload('vendor', item), cycleId: args.cycleId, at: args.now() });
        },
      };
      const emit: EmitRuns = async (observed) => {
        const { runs, rejected } = await toRuns(observed, cfg, args, report, warn, cleaner);
        report.runsSeen += runs.length;
        chunkRuns += runs.length;
        for (const r of runs) {
          if (r.status.category !== 'failed' || !r.isFinalAttempt) continue;
          report.failedRuns++;
          // Without its raw payload: the report and an assessment without a store read none of it.
          if (args.collected.length < MAX_FAILED_KEPT) args.collected.push({ ...r, raw: null });
        }
        await chunkWriter.add(runs, [...refused.splice(0), ...rejected]);
      };
      try {
        await collector.collectRuns(chunkCtx, i > 0 ? { ...chunk, continuation: true } : chunk, emit);
      } catch (e) {
        if (!args.signal.aborted) throw e;
        await cutOff();
        break;
      }
      if (refused.length > 0) await chunkWriter.add([], refused.splice(0));
      const written = chunkWriter.flush();
      if (incomplete.length > 0) {
        await written;
        report.incomplete.push(...incomplete);
        complete = false;
        break; // coverage stays before this chunk: the next cycle re-reads it from the vendor
      }
      // Written and complete: coverage advances to the chunk's end, or, for the chunk that reaches "now", to the
      // moment its first request went out (anything that changed after that is re-read next cycle). A cycle cut
      // off meanwhile records no more coverage: what it wrote is re-read by the next cycle, harmlessly.
      const coveredUntil = new Date(Math.min(chunk.end.getTime(), firstRequestAt.getTime(), windowEnd.getTime()));
      committed = Promise.all([committed, written]).then(async () => {
        if (args.signal.aborted) return;
        if (args.store && !args.dryRun && !skewed) {
          await args.store.recordCoverage({ platform: cfg.platform, scope: cfg.scopeId, coveredUntil, cycleId: args.cycleId, updatedAt: args.now() });
          report.coveredUntil = coveredUntil.toISOString();
        }
        report.chunks.committed++;
        args.onProgress?.({ type: 'chunk-done', platform: cfg.platform, scope: cfg.scopeId, chunk: i + 1, chunks: chunks.length, runs: chunkRuns });
      });
      committed.catch(() => undefined); // awaited below, or at the cut-off
    }
    await committed;
    if (complete && args.signal.aborted && report.chunks.committed < chunks.length) await cutOff();
    report.complete = complete && !skewed && args.store !== null;
    if (!args.store && !args.dryRun) report.incomplete.push('nothing was written: the store is unavailable');
    if (args.dryRun) report.complete = complete && !skewed;
  } catch (e) {
    report.complete = false;
    report.error = describeError(e, args.config.secrets);
    args.log.error({ platform: cfg.platform, scope: cfg.scopeId, err: report.error }, 'scope failed');
  } finally {
    // A scope that stopped early leaves no write running behind the report.
    await Promise.all([committed.catch(() => undefined), batcher?.idle()]);
    report.requests = args.http.stats.requests - requestsBefore.requests;
    report.retries = args.http.stats.retries - requestsBefore.retries;
    report.throttled = args.http.stats.throttled - requestsBefore.throttled;
  }
  args.onProgress?.({ type: 'scope-done', platform: cfg.platform, scope: cfg.scopeId, report });
  return report;
}

async function collectJobs(collector: AnyCollector, ctx: CollectContext<unknown>, cfg: ScopeConfig, args: ScopeArgs, report: ScopeReport): Promise<void> {
  const observed = await collector.listJobs(ctx);
  const seenAt = args.now();
  const jobs: Job[] = [];
  for (const o of observed) {
    const parsed = JobSchema.safeParse(redactDeep({ ...o, schemaVersion: SCHEMA_VERSION, firstSeenAt: seenAt, lastSeenAt: seenAt, cycleId: args.cycleId }, args.config.secrets));
    if (parsed.success && parsed.data.platform === cfg.platform && parsed.data.scope === cfg.scopeId) jobs.push(parsed.data);
    else ctx.warn({ code: 'invalid-job', message: parsed.success ? 'job reported for another scope' : issueText(parsed.error.issues), itemId: o.jobId });
  }
  report.jobsSeen = jobs.length;
  if (args.store) {
    // A scope whose inventory shrinks to nothing has most likely lost access, not all its jobs.
    if (jobs.length === 0) {
      const before = (await args.store.readJobs(cfg.platform)).filter((j) => j.scope === cfg.scopeId && !j.deleted).length;
      if (before > 0) ctx.warn({ code: 'inventory-empty', message: `the platform lists no jobs now, where ${before} were seen before: check the credentials' permissions` });
    }
    if (!args.dryRun && jobs.length > 0) await args.store.upsertJobs(jobs);
  }
}

/** Runs validated between two yields to the event loop. */
const VALIDATE_SLICE = 250;

/**
 * Validates a page's observations into stored runs. It yields to the event loop every VALIDATE_SLICE runs: a page
 * can hold thousands (Dataverse: 5,000), and one synchronous pass (~0.1 ms a run) would hold up the other
 * platforms' pages (scopes run side by side on this one thread), adding its whole length to their chains of waits.
 */
async function toRuns(observed: readonly unknown[], cfg: ScopeConfig, args: ScopeArgs, report: ScopeReport, warn: (w: CollectWarning) => void, cleaner: Cleaner): Promise<{ runs: Run[]; rejected: QuarantineItem[] }> {
  const seenAt = args.now();
  const runs: Run[] = [];
  const rejected: QuarantineItem[] = [];
  const reject = (item: Record<string, unknown>, reason: string) => {
    report.runsRejected++;
    const itemId = typeof item.runId === 'string' && item.runId ? item.runId : '(none)';
    warn({ code: 'invalid-run', message: `${reason} (quarantined)`, itemId });
    rejected.push({ platform: cfg.platform, scope: cfg.scopeId, itemId: truncate(itemId, 1000), reason, payload: boundedPayload('observation', item), cycleId: args.cycleId, at: seenAt });
  };
  let sinceYield = 0;
  for (const o of observed) {
    if (++sinceYield > VALIDATE_SLICE) {
      sinceYield = 0;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    // Made well-formed at the boundary (a lone surrogate or a NUL in vendor text must never block a batch) and
    // redacted, in one copy-on-write pass.
    const obj = cleaner.clean((o ?? {}) as Record<string, unknown>);
    const parsed = RunSchema.safeParse({ ...obj, schemaVersion: SCHEMA_VERSION, firstSeenAt: seenAt, lastSeenAt: seenAt, cycleId: args.cycleId });
    if (!parsed.success) {
      reject(obj, issueText(parsed.error.issues));
      continue;
    }
    if (parsed.data.platform !== cfg.platform || parsed.data.scope !== cfg.scopeId) {
      reject(obj, `run reported for ${parsed.data.platform}/${parsed.data.scope}, not this scope`);
      continue;
    }
    runs.push(parsed.data);
  }
  return { runs, rejected };
}

/**
 * Quarantined payloads say where the item was refused (`vendor`: its schema at the boundary, the vendor's item as
 * received; `observation`: the run schema, the normalized run) and are bounded: the vendor extract goes first, then
 * the text is cut (and marked so, which makes it unretryable: the reason says so).
 */
const MAX_PAYLOAD = 64 * 1024;
function boundedPayload(stage: 'vendor' | 'observation', item: unknown): string {
  let text: string;
  try {
    text = JSON.stringify({ stage, item });
    if (text.length > MAX_PAYLOAD && item && typeof item === 'object') text = JSON.stringify({ stage, item: { ...(item as Record<string, unknown>), raw: undefined } });
  } catch {
    text = JSON.stringify({ stage, item: null });
  }
  return text.length > MAX_PAYLOAD ? truncate(text, MAX_PAYLOAD, '…[payload truncated]') : text;
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

const MAX_INCIDENTS_IN_REPORT = 200;
const SEVERITY_RANK = { critical: 0, warning: 1 } as const;

/** The assessment's outcome as it goes into the report and the cycle row (bounded). */
export function healthSummary(h: HealthOutcome): HealthSummary {
  const open = h.incidents.filter((i) => i.state === 'open');
  const teams = new Map<string, { team: string; notices: number; reasons: Partial<Record<string, number>> }>();
  for (const t of h.plan.teams) {
    const e = { team: t.team, notices: t.notices.length, reasons: {} as Partial<Record<string, number>> };
    for (const n of t.notices) e.reasons[n.reason] = (e.reasons[n.reason] ?? 0) + 1;
    teams.set(t.team, e);
  }
  const a = h.assessment;
  return {
    persisted: h.persisted,
    note: h.note,
    open: { critical: open.filter((i) => i.severity === 'critical').length, warning: open.filter((i) => i.severity === 'warning').length },
    opened: h.events.filter((e) => e.type === 'opened').length,
    resolved: h.events.filter((e) => e.type === 'resolved').length,
    plan: [...teams.values()],
    assessment: { source: a.source, model: a.model, outcome: a.outcome, fallbackReason: a.fallbackReason, health: a.health, headline: a.headline, tokensIn: a.tokensIn, tokensOut: a.tokensOut, latencyMs: a.latencyMs, cached: a.cached },
    incidents: [...h.incidents]
      .sort((x, y) => (x.state === y.state ? 0 : x.state === 'open' ? -1 : 1) || SEVERITY_RANK[x.severity] - SEVERITY_RANK[y.severity] || (x.fingerprint < y.fingerprint ? -1 : 1))
      .slice(0, MAX_INCIDENTS_IN_REPORT),
  };
}

/**
 * Notify: one digest per team with news (and the daily all-clear where configured), through the ledger, so the same
 * news is never sent twice. A dry run renders to the outbox folder. A transport that cannot even be built is a
 * failed delivery for every team, reported; it never stops the cycle.
 */
async function notify(
  config: AuditConfig,
  deps: AuditDeps,
  health: HealthOutcome,
  c: { store: Store | null; now: () => Date; cycleId: string; dryRun: boolean; log: AuditLogger },
): Promise<DeliveryOutcome[] | null> {
  if (deps.transport === null) return null;
  const delivery = config.delivery;
  if (!deps.transport && !delivery) return null;
  const assessment = config.assessment ?? DEFAULT_ASSESSMENT;
  const allClear = [...assessment.teams, assessment.defaultTeam]
    .filter((t) => t.allClearHour !== undefined && t.allClearHour !== null)
    .map((t) => ({ name: t.name, email: t.email, cc: t.cc, timezone: t.timezone, hour: t.allClearHour! }));
  if (health.plan.teams.length === 0 && allClear.length === 0) return null;
  let transport: MailTransport;
  try {
    transport =
      deps.transport && !c.dryRun
        ? deps.transport
        : c.dryRun
          ? createOutboxTransport({ dir: delivery?.outboxDir ?? 'pipeline-audit-outbox', now: c.now })
          : await createTransport(delivery!, { now: c.now });
  } catch (e) {
    const reason = redact(errorMessage(e), config.secrets);
    c.log.error({ err: reason }, 'the mail transport could not be set up');
    return health.plan.teams.map((t) => ({ team: t.team, status: 'failed' as const, transport: delivery?.transport ?? null, reason }));
  }
  try {
    return await deliverPlan(health.plan, health.assessment, {
      store: c.store,
      transport,
      now: c.now,
      cycleId: c.cycleId,
      from: delivery?.from ?? 'pipeline-audit@localhost',
      dryRun: c.dryRun,
      ...(allClear.length > 0 ? { allClear: { teams: allClear } } : {}),
    });
  } finally {
    if (transport !== deps.transport) await transport.close().catch(() => undefined);
  }
}
