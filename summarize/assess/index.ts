// The assessment's public surface: the pure `assess`, its input and output shapes, the configuration schema with
// routing (for `config check`), and the schedule helpers (for `explain`).
export { assess } from './assess.js';
export type { AssessResult } from './assess.js';
export { AssessConfigSchema, DEFAULT_JOB_SETTINGS, DeadlineSchema, JobMatchSchema, JobSettingsSchema, TeamSchema, DefaultTeamSchema, routeTeam, settingsFor, matches, allTeams } from './config.js';
export type { AssessConfig, AssessConfigInput, JobSettings, JobMatch, JobSubject, TeamConfig, Deadline } from './config.js';
export { SNAPSHOT_LIMITS } from './snapshot.js';
export type { AssessInput, AssessJob, AssessReport, AssessRun, AssessSnapshot, JobSnapshot, Ledger, LedgerEntry, Silence, SuccessSample } from './snapshot.js';
export { parseSchedule, inferSchedule, missedSlots, deadlineInstants, nextFire } from './schedule.js';
export type { Schedule, MissedSlot } from './schedule.js';
export { fingerprint } from './findings.js';
export type { Finding } from './findings.js';
export { incidentId } from './lifecycle.js';
export { blindSpotDue, reasonFor } from './plan.js';
export { blindSpotClass, IMMEDIATE_BLIND_SPOTS } from './detect-blind-spots.js';
export { outageThreshold } from './detect-outage.js';
export { durationBaseline, percentile } from './detect-runtime.js';
export { globMatch } from './glob.js';
