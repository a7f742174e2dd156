// Poison rows are bisected out of a batch. When the store refuses a batch for its data (not for a transient fault),
// the batch is split in halves and each half written on its own, recursively, until the rows it refuses stand alone:
// those are set aside with the store's reason, everything else is committed. A batch of n rows with k bad ones
// costs about 2·k·log2(n) extra transactions; the depth never exceeds ceil(log2(n)).
import { dedupeNewest } from '../../normalize/order.js';
import type { Job, Run } from '../../normalize/schema.js';
import { jobToRow, runToRow, storedJobKey, type Cell } from './tables.js';
import type { UpsertResult } from './types.js';

export const NOTHING: UpsertResult = { inserted: 0, updated: 0, unchanged: 0, statusChanges: 0, quarantined: 0 };

export function addResults(a: UpsertResult, b: UpsertResult): UpsertResult {
  return {
    inserted: a.inserted + b.inserted,
    updated: a.updated + b.updated,
    unchanged: a.unchanged + b.unchanged,
    statusChanges: a.statusChanges + b.statusChanges,
    quarantined: a.quarantined + b.quarantined,
  };
}

export interface Bisect<T> {
  /** Writes the items in one transaction, all or nothing. */
  write(items: readonly T[]): Promise<UpsertResult>;
  /** True when the error is about the data (the same rows would fail again); false for faults that may pass. */
  isDataError(e: unknown): boolean;
  /** An item the store refused on its own, with the store's message. */
  refuse(item: T, reason: string): void;
}

/** Writes `items`, bisecting around the rows the store refuses; a transient fault still fails the whole call. */
export async function writeBisecting<T>(items: readonly T[], b: Bisect<T>): Promise<UpsertResult> {
  if (items.length === 0) return b.write(items);
  try {
    return await b.write(items);
  } catch (e) {
    if (!b.isDataError(e)) throw e;
    if (items.length === 1) {
      b.refuse(items[0]!, e instanceof Error ? e.message : String(e));
      return NOTHING;
    }
    const mid = Math.ceil(items.length / 2);
    const left = await writeBisecting(items.slice(0, mid), b);
    return addResults(left, await writeBisecting(items.slice(mid), b));
  }
}

/**
 * The runs as table rows; a run no row can hold (a time neither warehouse stores, a value JSON cannot hold) goes
 * to `bad` with the reason, before anything is written.
 */
export function runRows(runs: readonly Run[]): { rows: { run: Run; row: Cell[] }[]; bad: { run: Run; reason: string }[] } {
  const rows: { run: Run; row: Cell[] }[] = [];
  const bad: { run: Run; reason: string }[] = [];
  for (const r of runs) {
    try {
      rows.push({ run: r, row: runToRow(r) });
    } catch (e) {
      bad.push({ run: r, reason: e instanceof Error ? e.message : String(e) });
    }
  }
  return { rows, bad };
}

/**
 * A batch of jobs as table rows, one per stored key: a job has no vendor update time or status, so the newest
 * sighting wins (dedupeNewest on the stored key).
 */
export function jobRows(input: readonly Job[]): { job: Job; row: Cell[] }[] {
  const jobs = dedupeNewest(
    input.map((j) => ({ ...j, updatedAt: null, status: { category: 'unknown' as const } })),
    storedJobKey,
  );
  return jobs.map((j) => ({ job: j, row: jobToRow(j) }));
}
