// Paging of the Airbyte public API, built here rather than by following `next`: that link is rebuilt by the
// server from the configured host with only jobType/connectionId/workspaceIds/limit/offset, so it drops the time
// filters and the order (JobsResponseMapper + PaginationMapper), and it is non-empty even on the last page.
// Items are parsed one by one: an invalid item is a warning naming it, the others are kept.
import { z } from 'zod';
import { CollectorError } from '../../errors.js';
import { AirbyteConnectionSchema, AirbyteJobSchema, parseAirbyteTime, type AirbyteConnection, type NormalizeAirbyteOptions } from '../../normalize/airbyte.js';
import type { QueryValue } from '../../connect/http.js';
import { offsetRepeatGuard, paginate, repeatedPageMessage } from '../../connect/paging.js';
import type { TokenProvider } from '../../connect/tokens.js';
import { parseItems } from '../parse.js';
import { pageQueue } from '../stream.js';
import type { AirbyteScope } from './scope.js';
import type { CollectContext, TimeWindow } from '../types.js';

/** What every request of one collect call shares. */
export interface AirbyteSession {
  baseUrl: string;
  auth: TokenProvider;
  norm: NormalizeAirbyteOptions;
  /** The configured workspaces, or undefined (left out: the server reads every workspace the user may see). */
  workspaceIds: QueryValue;
}
type Ctx = CollectContext<AirbyteScope>;

export const PAGE_SIZE = 100; // the maximum of /jobs, /connections and /workspaces (400 above)
/**
 * Rows each jobs page re-reads from the end of the previous one. Offset paging over a set that changes while it
 * is read shifts rows: when a job ahead of the page edge is updated past the window end (or moves to the top),
 * every row behind it moves one place forward, and the row that was first on page N+1 would now be last on page
 * N, already read past. Starting page N+1 this many rows early absorbs up to that many moves; the repeated rows
 * are deduplicated by jobId. Page N+1 must contain one of page N's last rows (an anchor): if none is there, more
 * rows moved than the overlap absorbs, and the page is read again from page N's offset (bounded by MAX_REREADS).
 * A job updated inside the window meanwhile jumps to page 1, already read: its new state is the next cycle's,
 * whose window reaches back by overlapMs (30 min).
 */
export const EDGE_OVERLAP = 10;
const MAX_REREADS = 5;

const PageSchema = z.object({ data: z.array(z.unknown()) });

export function parsePage(ctx: Ctx, body: unknown, endpoint: string): unknown[] {
  const r = PageSchema.safeParse(body);
  if (r.success) return r.data.data;
  const issue = r.error.issues[0];
  throw new CollectorError('airbyte', ctx.scopeId, `${endpoint} answered JSON that is not a page (${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}); check the Airbyte API URL (self-managed: <host>/api/public/v1)`);
}

export const idOf = (item: unknown, key: string): string | undefined => {
  const v = item && typeof item === 'object' ? (item as Record<string, unknown>)[key] : undefined;
  return typeof v === 'number' || typeof v === 'string' ? String(v) : undefined;
};


/** Every connection of the scope's workspaces, deleted ones included (their jobs still need a name). */
export async function listConnections(ctx: Ctx, s: AirbyteSession): Promise<AirbyteConnection[]> {
  const repeated = offsetRepeatGuard();
  const raw = await paginate<number, unknown>({
    first: 0,
    maxPages: ctx.limits.maxPages,
    label: 'airbyte /connections',
    onCap: (m) => ctx.incomplete(m),
    fetchPage: async (offset, page) => {
      // GET /connections: https://reference.airbyte.com/reference/listconnections (paged here; `next` not followed)
      const res = await ctx.http.request({
        url: `${s.baseUrl}/connections`,
        query: { workspaceIds: s.workspaceIds, includeDeleted: true, limit: PAGE_SIZE, offset },
        auth: s.auth,
      });
      const items = parsePage(ctx, res.body, '/connections');
      const earlier = repeated(offset, items.map((it) => idOf(it, 'connectionId') ?? ''));
      if (earlier !== null) {
        ctx.incomplete(repeatedPageMessage('airbyte /connections', offset, earlier, page));
        return { items: [], next: undefined };
      }
      return { items, next: items.length < PAGE_SIZE ? undefined : offset + PAGE_SIZE };
    },
  });
  // Connections are listed in creation order and rarely change mid-listing; a repeat is harmless.
  const byId = new Map<string, AirbyteConnection>();
  for (const c of parseItems(ctx, AirbyteConnectionSchema, raw, 'connectionId', 'connection')) byId.set(c.connectionId, c);
  return [...byId.values()];
}

interface JobsCursor {
  offset: number;
  /** Ids of the previous page's last rows; one of them must be on this page (null on the first page). */
  anchors: ReadonlySet<string> | null;
  /** Offset of the previous page, where a re-read starts. */
  previousOffset: number;
}

/**
 * Jobs updated inside the window, newest first, paged by offset with re-read page edges (see EDGE_OVERLAP), handed
 * to `onPage` a page at a time, each job once (collectors/stream.ts: the listing reads at most one page ahead of
 * what `onPage` has finished with). A job read again (a page edge, a re-read page) is left out: it is the same
 * observation, since a job that changed has a newer updatedAt and moved toward the front, onto pages already read.
 */
export async function listJobsInWindow(ctx: Ctx, s: AirbyteSession, window: TimeWindow, onPage: (items: unknown[]) => Promise<void>): Promise<void> {
  let rereads = 0;
  // Page edges overlap and a page may be re-read, but a different offset answering a page already read means a
  // server that ignores `offset`: without this guard it would page to the cap (thousands of requests).
  const repeated = offsetRepeatGuard();
  const recent = recentIds();
  const pages = pageQueue();
  await paginate<JobsCursor, never>({
    first: { offset: 0, anchors: null, previousOffset: 0 },
    maxPages: ctx.limits.maxPages,
    label: 'airbyte /jobs',
    onCap: (m) => ctx.incomplete(m),
    fetchPage: async (cursor, page) => {
      // GET /jobs: https://reference.airbyte.com/reference/listjobs
      const res = await ctx.http.request({
        url: `${s.baseUrl}/jobs`,
        query: {
          workspaceIds: s.workspaceIds,
          updatedAtStart: window.start.toISOString(),
          updatedAtEnd: window.end.toISOString(),
          orderBy: 'updatedAt|DESC',
          limit: PAGE_SIZE,
          offset: cursor.offset,
        },
        auth: s.auth,
      });
      const items = parsePage(ctx, res.body, '/jobs');
      const earlier = repeated(cursor.offset, items.map((it) => idOf(it, 'jobId') ?? ''));
      if (earlier !== null) {
        ctx.incomplete(repeatedPageMessage('airbyte /jobs', cursor.offset, earlier, page));
        return { items: [], next: undefined };
      }
      const next = nextCursor(ctx, window, cursor, items, () => rereads++ < MAX_REREADS);
      const fresh = recent.fresh(cursor.offset, items, next ? Math.min(next.offset, next.previousOffset) : Infinity);
      if (fresh.length > 0) await pages.next(() => onPage(fresh));
      return { items: [], next };
    },
  });
  await pages.done();
}

/** The cursor after a page: the next page (overlapping this one's edge), a re-read, or none. */
function nextCursor(ctx: Ctx, window: TimeWindow, cursor: JobsCursor, items: unknown[], mayReread: () => boolean): JobsCursor | undefined {
  const anchored = cursor.anchors === null || items.some((it) => cursor.anchors?.has(idOf(it, 'jobId') ?? '') ?? false);
  if (!anchored) {
    // Keep what was read (duplicates are left out) and read again from the previous page's offset.
    if (mayReread()) return { offset: cursor.previousOffset, anchors: cursor.anchors, previousOffset: cursor.previousOffset };
    ctx.incomplete(`airbyte /jobs: more than ${EDGE_OVERLAP} jobs moved between pages ${MAX_REREADS} times while paging; some jobs near offset ${cursor.offset} may not have been read`);
  }
  if (items.length < PAGE_SIZE) return undefined;
  // A server that ignored the time filter would page on through all history: stop once past the window.
  const lastSeen = AirbyteJobSchema.safeParse(items[items.length - 1]);
  const lastUpdated = lastSeen.success ? parseAirbyteTime(lastSeen.data.lastUpdatedAt) : null;
  if (lastUpdated && lastUpdated < window.start) return undefined;
  const tail = new Set(items.slice(-EDGE_OVERLAP).map((it) => idOf(it, 'jobId') ?? ''));
  return { offset: cursor.offset + PAGE_SIZE - EDGE_OVERLAP, anchors: tail, previousOffset: cursor.offset };
}

/**
 * The ids of the pages that a later read may still reach. In updatedAt DESC order a job moves toward the front
 * when it is updated, and back only by as many places as jobs behind it jump ahead; reads never go below the
 * cursor's offsets. So a page that ended more than a page before the lowest offset still to be read is forgotten:
 * a few hundred ids are kept, never the window's.
 */
function recentIds() {
  const pages: { end: number; ids: Set<string> }[] = [];
  return {
    fresh(offset: number, items: unknown[], lowestNext: number): unknown[] {
      const out = items.filter((it) => {
        const id = idOf(it, 'jobId');
        return id === undefined || !pages.some((p) => p.ids.has(id));
      });
      pages.push({ end: offset + items.length, ids: new Set(items.map((it) => idOf(it, 'jobId') ?? '')) });
      while (pages.length > 0 && pages[0]!.end + PAGE_SIZE <= lowestNext) pages.shift();
      return out;
    },
  };
}
