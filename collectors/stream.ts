// How collectors hand runs over while they page (collectors/types.ts `EmitRuns`): a page is handled on the event
// loop's turn after the request for the next page went out, so its CPU time (parsing, normalizing) overlaps that
// wait, and the listing reads no further than one page ahead of what the consumer has taken.
import type { RunObservation } from '../normalize/schema.js';
import type { CollectContext, Collector, TimeWindow } from './types.js';

export interface PageQueue {
  /**
   * Queues the handling of the page just read, after the previous page's handling has finished (awaited here:
   * that is the back-pressure), and returns at once so the caller can ask for the next page.
   */
  next(handle: () => Promise<void>): Promise<void>;
  /** Resolves when every queued page is handled; rejects with the first failure. */
  done(): Promise<void>;
}

export function pageQueue(): PageQueue {
  let last: Promise<void> = Promise.resolve();
  return {
    async next(handle) {
      await last;
      const p = new Promise<void>((resolve) => setImmediate(resolve)).then(handle);
      p.catch(() => undefined); // surfaced by the next `next` or by `done`; never an unhandled rejection meanwhile
      last = p;
    },
    done: () => last,
  };
}

/** Every run a collector emits for a window, in one array: for callers that want them all (tests, one-off reads). */
export async function collectAll<S>(collector: Collector<S>, ctx: CollectContext<S>, window: TimeWindow): Promise<RunObservation[]> {
  const out: RunObservation[] = [];
  await collector.collectRuns(ctx, window, async (runs) => {
    for (const r of runs) out.push(r);
  });
  return out;
}
