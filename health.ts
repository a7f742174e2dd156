// The health step of the cycle, after the runs are stored: read the bounded snapshot, run the pure assessment,
// keep the incidents and their events in the store, and make the one LLM call (only when the plan is not empty,
// and not again for the same facts). With the store down, the assessment runs on this cycle's collection alone and
// persists nothing; the report says so.
import type { LanguageModel } from 'ai';
import type { Incident, IncidentEvent, NotificationPlan } from './normalize/incident.js';
import type { AssessSnapshot, JobSnapshot, Ledger, Silence } from './normalize/assessment.js';
import { TERMINAL_CATEGORIES, type Run } from './normalize/schema.js';
import type { ScopeRef, Store } from './sinks/store/types.js';
import { assess, AssessConfigSchema, SNAPSHOT_LIMITS, type AssessConfig } from './summarize/assess/index.js';
import { summarizeWithModel, type Assessment, type CachedNarrative, type NarrativeCache } from './summarize/llm/assessment.js';
import type { AuditReport } from './summarize/report.js';
import { errorMessage } from './errors.js';
import { redact } from './normalize/redact.js';

export interface HealthDeps {
  store: Store | null;
  config: AssessConfig;
  report: AuditReport;
  /** The scopes this cycle read (the snapshot covers them); `'all'`: every stored scope (`assess --dry-run`). */
  scopes: readonly ScopeRef[] | 'all';
  /** This cycle's failed final attempts (kept in memory): the evidence when the store is down. */
  collected: readonly Run[];
  now: () => Date;
  cycleId: string;
  model: LanguageModel | null;
  modelName: string | null;
  llmTimeoutMs?: number;
  signal?: AbortSignal;
  /** Assess and summarize, write nothing (`--dry-run`, `assess --dry-run`). */
  dryRun: boolean;
  secrets: readonly string[];
}

export interface HealthOutcome {
  /** Incidents open after this cycle and those it resolved. */
  incidents: Incident[];
  events: IncidentEvent[];
  plan: NotificationPlan;
  assessment: Assessment;
  /** The incidents and events were written to the store. */
  persisted: boolean;
  /** What limited this assessment (store down, ...), for the report; null when nothing did. */
  note: string | null;
}

/** The assessment configuration a library caller gets without one: everything to one `support` team. */
export const DEFAULT_ASSESSMENT: AssessConfig = AssessConfigSchema.parse({ defaultTeam: { name: 'support', email: ['unconfigured@pipeline-audit.invalid'] } });

export async function assessHealth(d: HealthDeps): Promise<HealthOutcome> {
  const now = d.now();
  let note: string | null = null;
  let snapshot: AssessSnapshot;
  let open: Incident[] = [];
  let silences: Silence[] = [];
  let ledger: Ledger = {};
  let store = d.store;
  if (store) {
    try {
      // One statement for the snapshot, the open incidents, the silences and the ledger.
      ({ snapshot, open, silences, ledger } = await store.readAssessmentInputs(d.scopes, { now, finals: SNAPSHOT_LIMITS.finals, successes: SNAPSHOT_LIMITS.successes, cycleId: d.cycleId }));
    } catch (e) {
      note = `the store could not be read for the assessment (${redact(errorMessage(e), d.secrets)}): assessed from this cycle's collection alone, nothing persisted`;
      store = null;
      snapshot = snapshotFromRuns(d.collected);
    }
  } else {
    note = "the store is unavailable: assessed from this cycle's collection alone, nothing persisted";
    snapshot = snapshotFromRuns(d.collected);
  }
  const result = assess({ snapshot, report: d.report, open, silences, ledger, config: d.config, now, cycleId: d.cycleId });

  let persisted = false;
  if (store && !d.dryRun) {
    try {
      await store.writeIncidents(result.incidents, result.events);
      persisted = true;
    } catch (e) {
      note = `the incidents could not be written (${redact(errorMessage(e), d.secrets)}): the next cycle assesses again`;
    }
  }

  const cache = store ? narrativeCache(store, d.now, d.dryRun) : undefined;
  const assessment = await summarizeWithModel(result.plan, {
    model: d.model,
    modelName: d.modelName,
    now: d.now,
    ...(d.llmTimeoutMs !== undefined ? { timeoutMs: d.llmTimeoutMs } : {}),
    ...(cache ? { cache } : {}),
    ...(d.signal ? { abortSignal: d.signal } : {}),
  });
  return { incidents: result.incidents, events: result.events, plan: result.plan, assessment: withOpenState(assessment, result.incidents), persisted, note };
}

/**
 * With nothing new to tell (no call was made), the health still reflects what is open: "healthy" beside 14 open
 * incidents would be a lie of omission.
 */
function withOpenState(a: Assessment, incidents: readonly Incident[]): Assessment {
  if (a.outcome !== 'skipped') return a;
  const open = incidents.filter((i) => i.state === 'open');
  if (open.length === 0) return a;
  const critical = open.filter((i) => i.severity === 'critical').length;
  return {
    ...a,
    health: critical > 0 ? 'critical' : 'degraded',
    headline: `Nothing new this cycle; ${open.length} incident${open.length === 1 ? '' : 's'} still open${critical > 0 ? ` (${critical} critical)` : ''}.`,
  };
}

/** The model's narrative cached in the store by a hash of the facts: a reminder of the same facts costs no call. */
function narrativeCache(store: Store, now: () => Date, dryRun: boolean): NarrativeCache {
  return {
    async get(hash) {
      const n = await store.readNarrative(hash);
      return n ? (JSON.parse(n.json) as CachedNarrative) : null;
    },
    async set(hash, value) {
      if (!dryRun) await store.writeNarrative(hash, JSON.stringify(value), now());
    },
  };
}

/**
 * A snapshot from this cycle's collection alone (the store is down): the failed final attempts kept in memory,
 * per job. Streaks, baselines and schedules need history, so only failures, outages and blind spots are found.
 */
export function snapshotFromRuns(runs: readonly Run[]): AssessSnapshot {
  const byJob = new Map<string, JobSnapshot>();
  const sorted = [...runs].sort((a, b) => (a.startedAt?.getTime() ?? 0) - (b.startedAt?.getTime() ?? 0));
  for (const r of sorted) {
    const key = `${r.platform}\u0000${r.scope}\u0000${r.jobId}`;
    let j = byJob.get(key);
    if (!j) {
      j = { platform: r.platform, scope: r.scope, jobId: r.jobId, job: null, jobBefore: null, finals: [], pendingRetries: [], active: [], successes: [], lastStartedAt: null };
      byJob.set(key, j);
    }
    if (r.isFinalAttempt && TERMINAL_CATEGORIES.has(r.status.category)) j.finals.push(r);
    else if (r.status.category === 'failed') j.pendingRetries.push(r);
    else if (r.status.category === 'queued' || r.status.category === 'running') j.active.push(r);
    const started = r.startedAt ?? r.scheduledAt;
    if (started && (!j.lastStartedAt || started > j.lastStartedAt)) j.lastStartedAt = started;
  }
  for (const j of byJob.values()) j.finals = j.finals.slice(-SNAPSHOT_LIMITS.finals);
  return { jobs: [...byJob.values()].sort((a, b) => (a.platform + a.scope + a.jobId < b.platform + b.scope + b.jobId ? -1 : 1)), previousCycleEndedAt: null };
}

/**
 * `assess --dry-run`: the assessment re-run at `now` from what is stored, without collecting, writing or calling the
 * model. Shows what a cycle at that moment would open, resolve and tell each team.
 */
export async function assessStored(store: Store, o: { config: AssessConfig; now: Date; cycleId: string; secrets: readonly string[] }): Promise<HealthOutcome> {
  const report: AuditReport = {
    cycleId: o.cycleId,
    toolVersion: '',
    startedAt: o.now.toISOString(),
    endedAt: o.now.toISOString(),
    dryRun: true,
    outcome: 'ok',
    store: { kind: store.kind, ok: true, error: null },
    scopes: [],
    notEnabled: [],
    blindSpots: [],
    totals: { runsSeen: 0, runsWritten: 0, failedRuns: 0, warnings: 0, requests: 0 },
    failedRuns: [],
  };
  return assessHealth({ store, config: o.config, report, scopes: 'all', collected: [], now: () => o.now, cycleId: o.cycleId, model: null, modelName: null, dryRun: true, secrets: o.secrets });
}
