// The cycle's write path for one scope: runs arrive a page at a time from the collector and leave for the store in
// bounded batches, one batch written while the next fills. Whoever adds runs waits while a full batch cannot go
// out yet (the previous one is still being written): that wait reaches back to the collector's paging, so what a
// scope holds is bounded by the batch size, never by its window, however slow the store.
import type { Run } from './normalize/schema.js';
import type { QuarantineItem } from './sinks/store/types.js';

/** Runs (and set-aside items) per store write, unless the cycle is given another size (AuditDeps.batchRuns). */
export const DEFAULT_BATCH_RUNS = 2_000;

export type WriteBatch = (runs: Run[], setAside: QuarantineItem[]) => Promise<void>;

export interface RunBatcher {
  /**
   * Adds validated runs and items set aside. Resolves once the caller may go on: at most one batch is being
   * written and one is filling. Rejects with the error of a failed write (nothing more is written after one).
   */
  add(runs: readonly Run[], setAside: readonly QuarantineItem[]): Promise<void>;
  /** Sends what is filling; resolves when everything added before it is written. */
  flush(): Promise<void>;
  /** Throws the error of a write that failed, if one did. */
  check(): void;
  /** Resolves when no write is in flight (failed or not): for the end of a scope that stopped early. */
  idle(): Promise<void>;
}

export function runBatcher(write: WriteBatch, max = DEFAULT_BATCH_RUNS): RunBatcher {
  const size = Math.max(1, Math.floor(max));
  let runs: Run[] = [];
  let aside: QuarantineItem[] = [];
  let writing: Promise<void> = Promise.resolve();
  let failure: { error: unknown } | null = null;
  // Callers (a collector's parallel listings) are taken one at a time, so each waits its turn holding one page.
  let gate: Promise<void> = Promise.resolve();
  const serially = (step: () => Promise<void>): Promise<void> => {
    const p = gate.then(step);
    gate = p.catch(() => undefined);
    return p;
  };
  const send = (batch: Run[], items: QuarantineItem[]) => {
    writing = writing.then(() => write(batch, items));
    writing.catch((error: unknown) => {
      failure ??= { error };
    });
  };
  const check = () => {
    if (failure) throw failure.error;
  };
  return {
    add: (more, setAside) =>
      serially(async () => {
        check();
        for (const r of more) runs.push(r);
        for (const q of setAside) aside.push(q);
        while (runs.length + aside.length >= size) {
          await writing; // the batch before is written: this one may go
          const batch = runs.length > size ? runs.splice(0, size) : runs;
          if (batch === runs) runs = [];
          const items = aside.length + batch.length > size ? aside.splice(0, Math.max(0, size - batch.length)) : aside;
          if (items === aside) aside = [];
          send(batch, items);
        }
      }),
    flush: () =>
      serially(async () => {
        check();
        if (runs.length + aside.length > 0) {
          send(runs, aside);
          runs = [];
          aside = [];
        }
        await writing;
      }),
    check,
    idle: () => writing.catch(() => undefined),
  };
}
