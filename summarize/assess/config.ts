// Detection settings, per-job overrides and team routing: one zod schema, defaults from the design (issue 9).
// Overrides apply in order, each matching one overriding the settings it names (later wins), so a broad rule
// can come first and a narrow exception after it. Teams: the first team with a matching rule owns a job.
import { z } from 'zod';
import { PlatformSchema } from '../../normalize/schema.js';
import type { Platform } from '../../normalize/schema.js';
import { globMatch } from './glob.js';

const minutes = z.number().nonnegative();
const positiveInt = z.number().int().positive();

export const DeadlineSchema = z.object({
  /** Local time `HH:MM` by which the job must have succeeded. */
  time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'time must be HH:MM (24 h)'),
  timezone: z.string().min(1).default('UTC'),
});
export type Deadline = z.infer<typeof DeadlineSchema>;

/** The settings a partial object names (an explicit `undefined` overrides nothing). */
function defined(p: Partial<Record<keyof JobSettings, unknown>>): Partial<JobSettings> {
  return Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) as Partial<JobSettings>;
}

/** Settings that may differ per job (global defaults, then the overrides that match). */
const JobSettingsShape = {
  failureGraceMinutes: minutes,
  streakOpenAfter: positiveInt,
  streakCriticalAt: positiveInt,
  tooLongFactor: z.number().positive(),
  tooLongMinSamples: positiveInt,
  tooLongMarginMinutes: minutes,
  /** A run still running past this many minutes is too long, whatever its baseline. */
  maxDurationMinutes: z.number().positive().nullable(),
  queueLimitMinutes: minutes,
  missedGraceMinutes: minutes,
  missedGraceFraction: z.number().nonnegative().max(1),
  zeroOutputRuns: positiveInt,
  flapWindow: z.number().int().min(3),
  flapEnterChanges: positiveInt,
  flapLeaveChanges: z.number().int().nonnegative(),
  deadline: DeadlineSchema.nullable(),
};

export const JobSettingsSchema = z.object(JobSettingsShape);
export type JobSettings = z.infer<typeof JobSettingsSchema>;

export const DEFAULT_JOB_SETTINGS: JobSettings = {
  failureGraceMinutes: 30,
  streakOpenAfter: 1,
  streakCriticalAt: 3,
  tooLongFactor: 1.5,
  tooLongMinSamples: 10,
  tooLongMarginMinutes: 10,
  maxDurationMinutes: null,
  queueLimitMinutes: 30,
  missedGraceMinutes: 10,
  missedGraceFraction: 0.1,
  zeroOutputRuns: 3,
  flapWindow: 10,
  flapEnterChanges: 4,
  flapLeaveChanges: 1,
  deadline: null,
};

/** Which jobs a rule applies to: every condition given must hold. */
export const JobMatchSchema = z.object({
  platform: PlatformSchema.optional(),
  /** Glob on the scope (workspace, account, environment). */
  scope: z.string().min(1).optional(),
  /** Glob on the job name or the job id. */
  job: z.string().min(1).optional(),
  /** Each tag must be present with a value matching the glob (`*`: any value, Airbyte labels have ''). */
  tags: z.record(z.string(), z.string()).optional(),
});
export type JobMatch = z.infer<typeof JobMatchSchema>;

export const OverrideSchema = JobSettingsSchema.partial().extend({ match: JobMatchSchema });

const TeamBase = {
  name: z.string().min(1).max(200),
  email: z.array(z.string().min(3).max(320)).min(1),
  cc: z.array(z.string().min(3).max(320)).default([]),
  /** IANA zone the team reads times in. */
  timezone: z.string().min(1).nullable().default(null),
  /** Local hour (in `timezone`, UTC without one) from which a daily "all clear" goes out when nothing is wrong. */
  allClearHour: z.number().int().min(0).max(23).optional(),
};
export const TeamSchema = z.object({ ...TeamBase, match: z.array(JobMatchSchema).min(1) });
export const DefaultTeamSchema = z.object(TeamBase);
export type TeamConfig = z.infer<typeof DefaultTeamSchema>;

export const AssessConfigSchema = z.object({
  detection: JobSettingsSchema.partial()
    .default({})
    .transform((d): JobSettings => ({ ...DEFAULT_JOB_SETTINGS, ...defined(d) })),
  overrides: z.array(OverrideSchema).default([]),
  outage: z
    .object({ minJobs: positiveInt.default(5), fraction: z.number().positive().max(1).default(0.3), windowMinutes: minutes.default(10) })
    .prefault({}),
  blindSpot: z.object({ afterCycles: positiveInt.default(2), afterMinutes: minutes.default(30), auditGapMinutes: minutes.default(45) }).prefault({}),
  reminders: z.object({ hours: z.number().positive().default(24), criticalHours: z.number().positive().default(4) }).prefault({}),
  teams: z.array(TeamSchema).default([]),
  defaultTeam: DefaultTeamSchema,
});
export type AssessConfig = z.infer<typeof AssessConfigSchema>;
export type AssessConfigInput = z.input<typeof AssessConfigSchema>;

/** What routing and overrides look at: identity, name and tags of a job (scope-level subjects have no job). */
export interface JobSubject {
  platform: Platform | 'monitor';
  scope: string;
  jobId: string;
  jobName: string | null;
  tags: Readonly<Record<string, string>>;
}

export function matches(m: JobMatch, s: JobSubject): boolean {
  if (m.platform !== undefined && m.platform !== s.platform) return false;
  if (m.scope !== undefined && !globMatch(m.scope, s.scope)) return false;
  if (m.job !== undefined) {
    // A job pattern never matches a scope-level subject: a blind spot is not "a job called *".
    if (s.jobId === '') return false;
    if (!globMatch(m.job, s.jobId) && !(s.jobName !== null && globMatch(m.job, s.jobName))) return false;
  }
  for (const [k, v] of Object.entries(m.tags ?? {})) {
    const have = Object.hasOwn(s.tags, k) ? s.tags[k] : undefined;
    if (have === undefined || !globMatch(v, have)) return false;
  }
  return true;
}

/** The settings for one job: global detection settings, then each matching override in order. */
export function settingsFor(config: AssessConfig, s: JobSubject): JobSettings {
  let out: JobSettings = config.detection;
  for (const o of config.overrides) {
    if (!matches(o.match, s)) continue;
    const { match: _match, ...rest } = o;
    out = { ...out, ...defined(rest) };
  }
  return out;
}

/** The team that owns a job or scope: the first team with a matching rule, else the default team. */
export function routeTeam(config: AssessConfig, s: JobSubject): TeamConfig {
  for (const t of config.teams) if (t.match.some((m) => matches(m, s))) return { name: t.name, email: t.email, cc: t.cc, timezone: t.timezone };
  return config.defaultTeam;
}

/** Every team, the default last, once each (by name): for monitor-level blind spots that concern everyone. */
export function allTeams(config: AssessConfig): TeamConfig[] {
  const out: TeamConfig[] = [];
  for (const t of [...config.teams, config.defaultTeam]) if (!out.some((o) => o.name === t.name)) out.push({ name: t.name, email: t.email, cc: t.cc, timezone: t.timezone });
  return out;
}
