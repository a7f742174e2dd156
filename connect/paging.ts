// Paging with a cap and a loop guard: every pagination loop of every collector goes through here.

export interface PageResult<TCursor, TItem> {
  items: TItem[];
  next: TCursor | undefined;
}

/**
 * The stable identity of a cursor for loop detection: a page token or a next link is itself (a string), an offset
 * its number. Other cursors (objects built by the collector, the `null` of a first page) have none by default:
 * pass `cursorKey` for those.
 */
export function defaultCursorKey(cursor: unknown): string | null {
  if (typeof cursor === 'string') return `s:${cursor}`;
  if (typeof cursor === 'number') return `n:${cursor}`;
  return null;
}

/** The message of a stopped listing when the vendor handed out a cursor it had handed out before. */
export function repeatedCursorMessage(label: string, page: number): string {
  return `${label}: the vendor repeated a page token (or next link) already followed in this listing; stopped after ${page} pages and the rest was not read`;
}

/** The message of a stopped offset listing when the vendor answered a new offset with a page already read. */
export function repeatedPageMessage(label: string, offset: number, earlierOffset: number, page: number): string {
  return `${label}: the vendor repeated a page (offset ${offset} answered what offset ${earlierOffset} did: it ignores the offset); stopped after ${page} pages and the rest was not read`;
}

/**
 * Loop guard for offset paging, where the cursor is built by the collector and never repeats but a server that
 * ignores `offset` answers every page alike: true when `ids` (a page's item ids, in order) were already answered
 * at another offset. The same offset read again (a deliberate re-read) is never a repeat.
 */
export function offsetRepeatGuard(): (offset: number, ids: readonly string[]) => number | null {
  const seen = new Map<string, number>();
  return (offset, ids) => {
    if (ids.length === 0) return null;
    const key = ids.join('\u0000');
    const earlier = seen.get(key);
    if (earlier !== undefined && earlier !== offset) return earlier;
    seen.set(key, offset);
    return null;
  };
}

/**
 * Walks pages until `next` is undefined or the page cap is reached. Hitting the cap is reported through
 * `onCap` (the cycle marks the collection incomplete) rather than silently truncating. A cursor seen before in
 * this listing (a vendor repeating its page token or next link) would loop to the cap, thousands of requests
 * later: it stops the listing at once, reported through `onRepeat` (default `onCap`) as incomplete too.
 */
export async function paginate<TCursor, TItem>(args: {
  first: TCursor;
  maxPages: number;
  fetchPage: (cursor: TCursor, pageIndex: number) => Promise<PageResult<TCursor, TItem>>;
  onCap: (message: string) => void;
  onRepeat?: (message: string) => void;
  label: string;
  /** Identity of a cursor for the loop guard; null: not checked. Default `defaultCursorKey`. */
  cursorKey?: (cursor: TCursor) => string | null;
}): Promise<TItem[]> {
  const keyOf = args.cursorKey ?? defaultCursorKey;
  const seen = new Set<string>();
  const out: TItem[] = [];
  let cursor: TCursor | undefined = args.first;
  let page = 0;
  while (cursor !== undefined) {
    if (page >= args.maxPages) {
      args.onCap(`${args.label}: stopped at the page cap (${args.maxPages} pages); the rest was not read`);
      break;
    }
    const key = keyOf(cursor);
    if (key !== null) {
      if (seen.has(key)) {
        (args.onRepeat ?? args.onCap)(repeatedCursorMessage(args.label, page));
        break;
      }
      seen.add(key);
    }
    const r: PageResult<TCursor, TItem> = await args.fetchPage(cursor, page);
    for (const item of r.items) out.push(item);
    cursor = r.next;
    page++;
  }
  return out;
}
