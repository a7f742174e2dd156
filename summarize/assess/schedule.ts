// When a job should have started: its platform schedule (Databricks quartz with a time zone, Snowflake
// `USING CRON <expr> <tz>` or `<n> MINUTE`, Airbyte quartz cron or `Every N HOURS`), or, without one, an interval
// inferred from its history. croner evaluates cron in the schedule's zone, so DST shifts land where the platform
// puts them.
import { Cron } from 'croner';
import type { Platform } from '../../normalize/schema.js';

export type Schedule =
  | { kind: 'cron'; pattern: string; timezone: string; quartz: boolean; text: string }
  | { kind: 'interval'; everyMs: number; text: string };

const UNIT_MS: Record<string, number> = { SECOND: 1000, MINUTE: 60_000, HOUR: 3_600_000, DAY: 86_400_000, WEEK: 7 * 86_400_000 };

function unitMs(unit: string): number | null {
  const u = unit.toUpperCase().replace(/S$/, '');
  return UNIT_MS[u] ?? null;
}

/** A cron built without a callback schedules nothing: it only computes dates. Null when croner rejects it. */
function cronOf(s: Extract<Schedule, { kind: 'cron' }>): Cron | null {
  try {
    // Quartz writes steps as `0/30` (start/step): croner reads those with sloppyRanges.
    return new Cron(s.pattern, { timezone: s.timezone, alternativeWeekdays: s.quartz, sloppyRanges: s.quartz, mode: s.quartz ? '6-or-7-parts' : 'auto' });
  } catch {
    return null;
  }
}

function cron(pattern: string, timezone: string, quartz: boolean, text: string): Schedule | null {
  let fields = pattern.trim().split(/\s+/);
  // Quartz's optional 7th field is the year: `*` adds nothing, so it is dropped; a real year is kept.
  if (quartz && fields.length === 7 && fields[6] === '*') fields = fields.slice(0, 6);
  const s: Schedule = { kind: 'cron', pattern: fields.join(' '), timezone, quartz, text };
  return cronOf(s) ? s : null;
}

/**
 * Parses a platform's schedule text. Null when there is none or it cannot be read (the caller may then infer one).
 * Quartz (6-7 fields, day-of-week 1 = Sunday) for Databricks and Airbyte, standard 5-field cron for Snowflake.
 */
export function parseSchedule(platform: Platform, text: string | null, timezone: string | null): Schedule | null {
  if (!text) return null;
  const t = text.trim();
  const tz = timezone ?? 'UTC';
  const every = /^(?:every\s+)?(\d+)\s+(seconds?|minutes?|hours?|days?|weeks?)$/i.exec(t);
  if (every) {
    const ms = unitMs(every[2]!);
    const n = Number(every[1]);
    return ms && n > 0 ? { kind: 'interval', everyMs: n * ms, text: t } : null;
  }
  const sf = /^USING\s+CRON\s+(.+)\s+(\S+)$/i.exec(t);
  if (sf) return cron(sf[1]!, sf[2]!, false, t);
  const n = t.split(/\s+/).length;
  if (platform === 'databricks' || platform === 'airbyte' || n >= 6) return cron(t, tz, n >= 6, t);
  return cron(t, tz, false, t);
}

/** Median of a non-empty list. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * An interval schedule inferred from run starts: at least 5 runs whose intervals are regular (80 % of them within
 * 10 % of the median, and the median at least a minute). Null when the history says nothing reliable.
 */
export function inferSchedule(starts: readonly Date[]): Schedule | null {
  const ts = [...new Set(starts.map((d) => d.getTime()))].sort((a, b) => a - b);
  if (ts.length < 5) return null;
  const gaps = ts.slice(1).map((t, i) => t - ts[i]!);
  const m = median(gaps);
  if (m < 60_000) return null;
  const regular = gaps.filter((g) => Math.abs(g - m) <= 0.1 * m).length;
  if (regular < 0.8 * gaps.length) return null;
  return { kind: 'interval', everyMs: Math.round(m), text: `inferred: every ${Math.round(m / 60_000)} min` };
}

/** Up to `n` fire times strictly before `ref`, newest first. For an interval, counted from `anchor`. */
function previousFires(s: Schedule, ref: Date, n: number, anchor: Date | null): Date[] {
  if (s.kind === 'cron') return cronOf(s)?.previousRuns(n, ref) ?? [];
  if (!anchor || anchor >= ref) return [];
  const k = Math.floor((ref.getTime() - 1 - anchor.getTime()) / s.everyMs);
  const out: Date[] = [];
  for (let i = k; i >= 1 && out.length < n; i--) out.push(new Date(anchor.getTime() + i * s.everyMs));
  return out;
}

export interface MissedSlot {
  /** The earliest slot that passed its grace without a run. */
  firstMissed: Date;
  /** The latest such slot. */
  lastMissed: Date;
  /** How many slots were missed (bounded). */
  count: number;
  graceMs: number;
}

const MAX_SLOTS = 200;
/** A run may start a little before the slot it serves (clock skew, the platform's own jitter). */
const EARLY_MS = 60_000;

/**
 * The slots that passed without a run: each slot after `lastStart` whose grace (the larger of `graceMin` and
 * `graceFraction` of the interval) has passed by `now`. Interval schedules count from the last start.
 */
export function missedSlots(s: Schedule, lastStart: Date | null, now: Date, graceMin: number, graceFraction: number): MissedSlot | null {
  let intervalMs: number;
  if (s.kind === 'interval') intervalMs = s.everyMs;
  else {
    const [a, b] = previousFires(s, now, 2, null);
    if (!a || !b) return null;
    intervalMs = a.getTime() - b.getTime();
  }
  const graceMs = Math.max(graceMin * 60_000, graceFraction * intervalMs);
  const cutoff = new Date(now.getTime() - graceMs + 1);
  if (s.kind === 'cron' && lastStart) return missedCronSlots(s, lastStart, cutoff, graceMs);
  const fires = previousFires(s, cutoff, MAX_SLOTS, lastStart).filter((f) => !lastStart || f.getTime() > lastStart.getTime() + EARLY_MS);
  if (fires.length === 0) return null;
  return { firstMissed: fires[fires.length - 1]!, lastMissed: fires[0]!, count: fires.length, graceMs };
}

/**
 * The cron slots in (lastStart + EARLY_MS, cutoff), walked forward from the last start. croner's backward search
 * (previousRuns) costs about 60 µs a fire, so asking for the newest MAX_SLOTS of every job each cycle cost 12 ms a
 * job (3.8 s a cycle for 300 scheduled jobs, bench/README.md); a job that ran on time has no slot after its last
 * start, and that takes one forward step. Past MAX_SLOTS the count stops and the newest slot is read directly.
 */
function missedCronSlots(s: Extract<Schedule, { kind: 'cron' }>, lastStart: Date, cutoff: Date, graceMs: number): MissedSlot | null {
  const c = cronOf(s);
  const first = c?.nextRun(new Date(lastStart.getTime() + EARLY_MS)); // strictly after its argument
  if (!c || !first || first >= cutoff) return null;
  let last = first;
  let count = 1;
  for (;;) {
    const f = c.nextRun(last);
    if (!f || f >= cutoff) break;
    if (count === MAX_SLOTS) {
      last = c.previousRuns(1, cutoff)[0] ?? last;
      break;
    }
    last = f;
    count++;
  }
  return { firstMissed: first, lastMissed: last, count, graceMs };
}

/** The latest instant of a daily local time (`HH:MM` in `timezone`) at or before `now`, and the one before it. */
export function deadlineInstants(time: string, timezone: string, now: Date): [Date, Date] | null {
  const [hh, mm] = time.split(':');
  try {
    const c = new Cron(`0 ${Number(mm)} ${Number(hh)} * * *`, { timezone });
    const [a, b] = c.previousRuns(2, new Date(now.getTime() + 1000));
    return a && b ? [a, b] : null;
  } catch {
    return null;
  }
}

/**
 * The next time the job is expected to start after `now` (for `explain`): the next cron fire, or for an interval
 * the last start plus the interval (which may already be past: the job is late). Null when unknown.
 */
export function nextFire(s: Schedule, now: Date, lastStart: Date | null): Date | null {
  if (s.kind === 'cron') return cronOf(s)?.nextRun(now) ?? null;
  return lastStart ? new Date(lastStart.getTime() + s.everyMs) : null;
}
