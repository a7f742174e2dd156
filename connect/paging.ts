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
