// The pagination lower bound of one benchmark cycle (explained in bench/README.md). Per platform, the cycle reads
// its inventory, then its chunks one after another; inside a chunk the listings it needs page side by side, and
// the pages of one listing strictly follow one another (each page's token, nextLink or next offset comes with
// the page before it). So a platform cannot finish before
//   inventory pages + Σ over chunks of (the longest of the chunk's listings, in pages)
// round trips, where a listing of n items costs max(1, ceil(n / page size)) pages (Airbyte: floor(n / size) + 1,
// as only a short page ends its listings): n counted from the generated
// data, not from the requests the collector made (extra requests of the collector never raise the bound).
// Platforms run side by side: the cycle's bound is the largest platform's, times the injected latency.
import { planChunks } from '../audit.js';
import { DEFAULT_LONGEST_RUN_MS, slices, START_TIME_SLICES } from '../collectors/databricks/collector.js';
import { collectorFor } from '../collectors/registry.js';
import type { BenchPlatform, CountQuery } from './sim-server.js';

/** Page sizes the collectors ask for, each the vendor's maximum. */
export const PAGE_SIZES = {
  databricks: { jobs: 100, runs: 25 },
  airbyte: { connections: 100, jobs: 100 },
  powerautomate: { flows: 5000, runs: 5000 },
} as const;

interface Listing {
  query: CountQuery;
  pageSize: number;
  /** Airbyte's `next` is never empty, so only a short page ends a listing: n items take floor(n / size) + 1 pages. */
  shortPageEnds?: true;
}
/** Listings that page side by side; stages run one after another. */
type Stage = Listing[];

export interface Chain {
  platform: BenchPlatform;
  chunks: number;
  /** Round trips that must follow one another: inventory + per chunk its longest listing. */
  pages: number;
  /** Pages of every listing of the plan (what a client must fetch at least, in any order). */
  listingPages: number;
}

/**
 * The stages of one platform's cycle over `window`, as its collector plans them. Databricks: its first chunk also
 * lists the active runs and reaches back `DEFAULT_LONGEST_RUN_MS` (runs/list filters on start time); later chunks
 * (`continuation`) list only their own start-time range; each range is split in START_TIME_SLICES slices. Only
 * listings count: runs/get (tasks beyond 100 of a failed run) and the per-chunk re-listing of Airbyte connections
 * and Dataverse flows need not wait for anything a client could not have earlier, so they are left out.
 */
export function plan(platform: BenchPlatform, window: { start: Date; end: Date }): Stage[] {
  const chunks = planChunks(window.start, window.end, collectorFor(platform).maxChunkMs);
  const ms = (d: Date) => d.getTime();
  switch (platform) {
    case 'databricks':
      return [
        [{ query: { platform, what: 'jobs' }, pageSize: PAGE_SIZES.databricks.jobs }],
        ...chunks.map((c, i): Stage => [
          ...(i === 0 ? [{ query: { platform, what: 'runs', activeOnly: true } as const, pageSize: PAGE_SIZES.databricks.runs }] : []),
          ...slices(ms(c.start) - (i === 0 ? DEFAULT_LONGEST_RUN_MS : 0), ms(c.end), START_TIME_SLICES).map((r) => ({
            query: { platform, what: 'runs', from: r.start_time_from, to: r.start_time_to } as const,
            pageSize: PAGE_SIZES.databricks.runs,
          })),
        ]),
      ];
    case 'airbyte':
      return [
        [{ query: { platform, what: 'connections' }, pageSize: PAGE_SIZES.airbyte.connections, shortPageEnds: true }],
        ...chunks.map((c): Stage => [{ query: { platform, what: 'jobs', from: ms(c.start), to: ms(c.end) }, pageSize: PAGE_SIZES.airbyte.jobs, shortPageEnds: true }]),
      ];
    case 'powerautomate':
      return [
        [{ query: { platform, what: 'flows' }, pageSize: PAGE_SIZES.powerautomate.flows }],
        ...chunks.map((c): Stage => [{ query: { platform, what: 'runs', from: ms(c.start), to: ms(c.end) }, pageSize: PAGE_SIZES.powerautomate.runs }]),
      ];
  }
}

/** The chain of a plan, given how many items each of its listings matches (`count`, in plan order). */
export function chainOf(platform: BenchPlatform, stages: Stage[], counts: readonly number[]): Chain {
  let k = 0;
  let pages = 0;
  let listingPages = 0;
  for (const stage of stages) {
    let longest = 0;
    for (const l of stage) {
      const items = counts[k++] ?? 0;
      const n = l.shortPageEnds ? Math.floor(items / l.pageSize) + 1 : Math.max(1, Math.ceil(items / l.pageSize));
      longest = Math.max(longest, n);
      listingPages += n;
    }
    pages += longest;
  }
  return { platform, chunks: stages.length - 1, pages, listingPages };
}
