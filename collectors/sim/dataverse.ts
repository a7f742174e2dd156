// A fake Dataverse Web API (node:http on 127.0.0.1) serving `flowruns` and `workflows` the way the real one pages:
// `Prefer: odata.maxpagesize` (default and cap 5000) answered with `Preference-Applied`, an absolute
// `@odata.nextLink` carrying an opaque `$skiptoken` (a paging cookie), `$top` without paging, `$skip` refused,
// `$select` honoured, and a small `$filter` parser (modifiedon ge/le joined by `and`, `category eq 5`). Errors
// use Dataverse's `{"error":{"code":"0x…","message":…}}`; 429 is the service-protection answer.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DataverseSimData, Row } from './dataverse-data.js';

export interface DataverseSimOptions {
  data: DataverseSimData;
  latencyMs?: number;
  /** Bearer token required (any non-empty one; default true). */
  requireToken?: boolean;
  /** Keep every response body sent (tests check them against the table metadata). */
  record?: boolean;
}

export interface Fault {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  times?: number;
}

export interface DataverseSimulator {
  /** The environment URL (the server's origin). */
  url: string;
  apiUrl: string;
  stats: { requests: Record<string, number> };
  /** Every request: path, query and the Prefer header it carried. */
  log: { path: string; query: string; prefer: string | null; authorization: boolean }[];
  sent: { path: string; status: number; body: unknown }[];
  failNext(path: string, fault: Fault): void;
  stallNext(path: string, ms: number, times?: number): void;
  rawNext(path: string, text: string, times?: number): void;
  refuseOrderBy(on: boolean): void;
  /** Runs `fn` just before page `n` (0-based) of a flowruns listing is served: data can move between pages. */
  onPage(n: number, fn: (data: DataverseSimData) => void): void;
  setData(data: DataverseSimData): void;
  close(): Promise<void>;
}

const MAX_PAGE = 5000;
type Pending = { kind: 'fail'; fault: Fault; left: number } | { kind: 'stall'; ms: number; left: number } | { kind: 'raw'; text: string; left: number };

function parseFilter(filter: string | null): ((r: Row) => boolean) | { error: string } {
  if (!filter) return () => true;
  const preds: ((r: Row) => boolean)[] = [];
  for (const part of filter.split(/\s+and\s+/i)) {
    const m = /^\s*(\w+)\s+(ge|le|gt|lt|eq)\s+('?)([^']*)\3\s*$/i.exec(part);
    if (!m) return { error: `Syntax error in $filter near '${part.slice(0, 40)}'` };
    const [, col, op, , value] = m as unknown as [string, string, string, string, string];
    const num = /^-?\d+$/.test(value) ? Number(value) : null;
    preds.push((r) => {
      const v = r[col!];
      const a = typeof v === 'number' && num !== null ? v : String(v ?? '');
      const b = typeof v === 'number' && num !== null ? num : value;
      switch (op!.toLowerCase()) {
        case 'ge':
          return a >= b;
        case 'le':
          return a <= b;
        case 'gt':
          return a > b;
        case 'lt':
          return a < b;
        default:
          return a === b;
      }
    });
  }
  return (r) => preds.every((p) => p(r));
}

export async function startDataverseSimulator(opts: DataverseSimOptions): Promise<DataverseSimulator> {
  let data = opts.data;
  let sortedRuns: Row[] = [];
  const index = () => {
    sortedRuns = [...data.flowruns].sort((a, b) => String(a.modifiedon).localeCompare(String(b.modifiedon)) || String(a.flowrunid).localeCompare(String(b.flowrunid)));
  };
  index();
  const pending = new Map<string, Pending[]>();
  const pageHooks = new Map<number, (d: DataverseSimData) => void>();
  let orderByRefused = false;
  const stats: DataverseSimulator['stats'] = { requests: {} };
  const log: DataverseSimulator['log'] = [];
  const sent: DataverseSimulator['sent'] = [];
  let origin = '';

  const send = (res: ServerResponse, path: string, status: number, body: unknown, headers: Record<string, string> = {}) => {
    if (opts.record) sent.push({ path, status, body });
    res.writeHead(status, { 'content-type': 'application/json; odata.metadata=minimal', 'OData-Version': '4.0', ...headers });
    res.end(JSON.stringify(body));
  };
  const odataError = (res: ServerResponse, path: string, status: number, code: string, message: string) => send(res, path, status, { error: { code, message } });

  const take = (path: string): Pending | undefined => {
    const q = pending.get(path);
    const p = q?.[0];
    if (p && --p.left <= 0) q!.shift();
    return p;
  };

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const u = new URL(req.url ?? '/', origin);
    const path = u.pathname;
    stats.requests[path] = (stats.requests[path] ?? 0) + 1;
    const prefer = req.headers['prefer'] ?? null;
    log.push({ path, query: u.search, prefer: Array.isArray(prefer) ? prefer.join(',') : prefer, authorization: Boolean(req.headers.authorization) });
    if (opts.latencyMs) await new Promise((r) => setTimeout(r, opts.latencyMs));
    const p = take(path);
    if (p?.kind === 'stall') await new Promise((r) => setTimeout(r, p.ms));
    if (p?.kind === 'raw') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(p.text);
    }
    if (p?.kind === 'fail') return send(res, path, p.fault.status, p.fault.body ?? { error: { code: '0x80040216', message: 'An unexpected error occurred.' } }, p.fault.headers);
    if ((opts.requireToken ?? true) && !/^Bearer \S+/.test(req.headers.authorization ?? '')) return odataError(res, path, 401, '0x80072560', 'The user is not a member of the organization.');

    const entity = path.replace(/^\/api\/data\/v9\.2\//, '');
    if (entity !== 'flowruns' && entity !== 'workflows') return odataError(res, path, 404, '0x80060888', `Resource not found for the segment '${entity}'.`);
    const q = u.searchParams;
    if (q.has('$skip')) return odataError(res, path, 400, '0x80060888', 'The query parameter $skip is not supported');
    const orderby = q.get('$orderby');
    if (orderby && entity === 'flowruns' && orderByRefused) return odataError(res, path, 400, '0x80048306', 'Sorting ($orderby) is not supported on this elastic table.');
    if (orderby && !/^modifiedon( asc)?$/i.test(orderby) && entity === 'flowruns') return odataError(res, path, 400, '0x80060888', `Could not find a property named '${orderby}'.`);
    const filter = parseFilter(q.get('$filter'));
    if (typeof filter !== 'function') return odataError(res, path, 400, '0x80060888', filter.error);

    const pref = /odata\.maxpagesize=(\d+)/.exec(String(prefer ?? ''));
    const pageSize = Math.min(MAX_PAGE, pref ? Number(pref[1]) : MAX_PAGE);
    // The paging cookie carries the page number and the last row's sort key, as Dataverse's does: the next page
    // starts after that row, so rows that move while a client pages are neither skipped nor shifted.
    const token = q.get('$skiptoken') ?? '';
    const pageNo = Number(/pagenumber="(\d+)"/.exec(token)?.[1] ?? 1) - 1;
    const lastKey = /lastkey="([^"]*)"/.exec(token)?.[1];
    if (entity === 'flowruns') {
      const hook = pageHooks.get(pageNo);
      if (hook) {
        pageHooks.delete(pageNo);
        hook(data);
        index();
      }
    }
    const source = entity === 'flowruns' ? (orderby ? sortedRuns : [...sortedRuns].reverse()) : data.workflows;
    const keyOf = (r: Row) => (entity === 'flowruns' ? `${String(r.modifiedon)}|${String(r.flowrunid)}` : String(r.workflowid));
    const ascending = entity !== 'flowruns' || Boolean(orderby);
    const matched = source.filter(filter).filter((r) => lastKey === undefined || (ascending ? keyOf(r) > lastKey : keyOf(r) < lastKey));
    if (entity === 'workflows') matched.sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
    const top = q.get('$top');
    const slice = matched.slice(0, top ? Number(top) : pageSize);
    const select = q.get('$select')?.split(',').map((s) => s.trim());
    const rows = slice.map((r) => {
      if (!select) return r;
      const out: Row = { '@odata.etag': r['@odata.etag'] };
      for (const c of select) {
        out[c] = r[c] ?? null;
        const fv = `${c}@OData.Community.Display.V1.FormattedValue`;
        if (fv in r) out[fv] = r[fv];
      }
      return out;
    });
    const body: Row = { '@odata.context': `${origin}/api/data/v9.2/$metadata#${entity}`, value: rows };
    const last = slice[slice.length - 1];
    if (!top && last && pageSize < matched.length) {
      const next = new URL(u.toString());
      next.searchParams.set('$skiptoken', `<cookie pagenumber="${pageNo + 2}" lastkey="${keyOf(last)}" pagingcookie="%3ccookie%20page%3d%22${pageNo + 2}%22%3e" istracking="False" />`);
      body['@odata.nextLink'] = next.toString();
    }
    send(res, path, 200, body, pref ? { 'Preference-Applied': `odata.maxpagesize=${pageSize}` } : {});
  }

  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      handle(req, res).catch((e: unknown) => odataError(res, req.url ?? '', 500, '0x80040216', String(e)));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const push = (path: string, p: Pending) => pending.set(path, [...(pending.get(path) ?? []), p]);
  return {
    url: origin,
    apiUrl: `${origin}/api/data/v9.2`,
    stats,
    log,
    sent,
    failNext: (path, fault) => push(path, { kind: 'fail', fault, left: fault.times ?? 1 }),
    stallNext: (path, ms, times = 1) => push(path, { kind: 'stall', ms, left: times }),
    rawNext: (path, text, times = 1) => push(path, { kind: 'raw', text, left: times }),
    refuseOrderBy: (on) => {
      orderByRefused = on;
    },
    onPage: (n, fn) => pageHooks.set(n, fn),
    setData: (d) => {
      data = d;
      index();
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
