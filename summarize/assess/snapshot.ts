// The input of the assessment: what the store reads for it (normalize/assessment.ts: bounded windows, never all
// history), this cycle's report, the open incidents, silences and the delivery ledger. Plain data, so any store can
// fill it and every rule is tested without one.
import type { AuditReport } from '../report.js';
import type { Incident } from '../../normalize/incident.js';
import type { AssessSnapshot, Ledger, Silence } from '../../normalize/assessment.js';
import type { AssessConfig } from './config.js';

// The stored shapes live beneath the stages (the store fills them); re-exported so the rules import one place.
export { SNAPSHOT_LIMITS } from '../../normalize/assessment.js';
export type { AssessJob, AssessRun, AssessSnapshot, JobSnapshot, Ledger, LedgerEntry, Silence, SuccessSample } from '../../normalize/assessment.js';

/** The report fields the assessment reads (a full `AuditReport` fits; a store-less dry run may pass a minimal one). */
export type AssessReport = Pick<AuditReport, 'cycleId' | 'scopes' | 'blindSpots' | 'store'>;

export interface AssessInput {
  snapshot: AssessSnapshot;
  report: AssessReport;
  /** Incidents open before this cycle (the ones resolved earlier are not needed). */
  open: Incident[];
  silences: Silence[];
  ledger: Ledger;
  config: AssessConfig;
  now: Date;
  cycleId: string;
}
