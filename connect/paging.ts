// Paging with a cap: every pagination loop of every collector goes through here.

export interface PageResult<TCursor, TItem> {
  items: TItem[];
  next: TCursor | undefined;
}

/**
 * Walks pages until `next` is undefined or the page cap is reached. Hitting the cap is reported through
 * `onCap` (the cycle marks the collection incomplete) rather than silently truncating.
 */
export async function paginate<TCursor, TItem>(args: {
  first: TCursor;
  maxPages: number;
  fetchPage: (cursor: TCursor, pageIndex: number) => Promise<PageResult<TCursor, TItem>>;
  onCap: (message: string) => void;
  label: string;
}): Promise<TItem[]> {
  const out: TItem[] = [];
  let cursor: TCursor | undefined = args.first;
  let page = 0;
  while (cursor !== undefined) {
    if (page >= args.maxPages) {
      args.onCap(`${args.label}: stopped at the page cap (${args.maxPages} pages); the rest was not read`);
      break;
    }
    const r: PageResult<TCursor, TItem> = await args.fetchPage(cursor, page);
    for (const item of r.items) out.push(item);
    cursor = r.next;
    page++;
  }
  return out;
}
