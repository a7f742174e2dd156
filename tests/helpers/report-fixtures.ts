// Minimal cycle reports for tests of what renders them.
import type { AuditReport, ScopeReport } from '../../summarize/report.js';

export function reportOf(over: Partial<AuditReport> = {}): AuditReport {
  return {
    cycleId: 'c',
    toolVersion: '0',
    startedAt: 's',
    endedAt: 'e',
    dryRun: false,
    outcome: 'ok',
    store: { kind: 'duckdb', ok: true, error: null },
    scopes: [],
    notEnabled: [],
    blindSpots: [],
    totals: { runsSeen: 0, runsWritten: 0, failedRuns: 0, warnings: 0, requests: 0 },
    failedRuns: [],
    ...over,
  };
}

export function scopeReportOf(platform: ScopeReport['platform'], over: Partial<ScopeReport> = {}): ScopeReport {
  const zero = { runsSeen: 0, runsInserted: 0, runsUpdated: 0, runsRejected: 0, jobsSeen: 0, failedRuns: 0, requests: 0, retries: 0, throttled: 0 };
  return { platform, scope: `${platform}-scope`, complete: true, window: null, coveredUntil: null, chunks: { planned: 1, committed: 1 }, ...zero, warnings: [], incomplete: [], gaps: [], error: null, ...over };
}
