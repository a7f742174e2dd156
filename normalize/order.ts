// "Newer" is defined, not assumed. Two observations of one run are ordered by:
//   1. the vendor's own update time, when it reports one (an observation with it beats one without);
//   2. then the status: terminal over running (and unknown) over queued;
//   3. then when pipeline-audit saw it (a late or replayed older observation never wins a tie).
// The order is folded into one fixed-width string so that SQL stores compare it with a plain `>` in a MERGE.
import type { StatusCategory } from './schema.js';

export function statusRank(category: StatusCategory): number {
  switch (category) {
    case 'queued':
      return 0;
    case 'running':
    case 'unknown':
      return 1;
    case 'succeeded':
    case 'failed':
    case 'canceled':
    case 'skipped':
      return 2;
  }
}

const NO_TIME = '0000-00-00T00:00:00.000Z';

function iso(d: Date | null | undefined): string {
  if (!d || Number.isNaN(d.getTime())) return NO_TIME;
  const s = d.toISOString();
  // Years outside 0000-9999 would break fixed width; they are nonsense for job runs.
  return s.length === NO_TIME.length ? s : NO_TIME;
}

export interface Versioned {
  updatedAt: Date | null;
  status: { category: StatusCategory };
  lastSeenAt: Date;
}

/** Sortable version of an observation: a larger string is a newer observation. */
export function observationVersion(r: Versioned): string {
  return `${iso(r.updatedAt)}|${statusRank(r.status.category)}|${iso(r.lastSeenAt)}`;
}

export function isNewer(a: Versioned, b: Versioned): boolean {
  return observationVersion(a) > observationVersion(b);
}

/**
 * Keeps one observation per key, the newest; `firstSeenAt` is the earliest of the duplicates. Output is sorted
 * by key so that writes (and anything built from them) are deterministic.
 */
export function dedupeNewest<T extends Versioned & { firstSeenAt: Date }>(rows: readonly T[], key: (r: T) => string): T[] {
  const best = new Map<string, T>();
  for (const r of rows) {
    const k = key(r);
    const cur = best.get(k);
    if (!cur) {
      best.set(k, r);
      continue;
    }
    const first = cur.firstSeenAt < r.firstSeenAt ? cur.firstSeenAt : r.firstSeenAt;
    const winner = isNewer(r, cur) ? r : cur;
    best.set(k, winner.firstSeenAt === first ? winner : { ...winner, firstSeenAt: first });
  }
  return [...best.entries()].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0)).map(([, v]) => v);
}
