// A fake Dataverse Web API (node:http on 127.0.0.1) serving `flowruns` and `workflows` the way the real one pages
// (Learn: webapi/query/page-results): `Prefer: odata.maxpagesize` (default and cap 5000) answered with
// `Preference-Applied`, an absolute `@odata.nextLink` carrying an opaque `$skiptoken` (a paging cookie), `$top`
// without paging, `$skip` refused, `$select` honoured (unknown columns refused), formatted values only when
// `odata.include-annotations` asks, and a small `$filter` parser (modifiedon ge/gt/le/lt joined by `and`,
// `category eq 5`). Errors use Dataverse's `{"error":{"code":"0x…","message":…}}`; 429 is the service-protection
// answer. Flow runs are sorted once by (modifiedon, flowrunid) and windows found by binary search, so 100,000 rows
// page quickly.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FLOWRUN_COLUMNS, WORKFLOW_COLUMNS, type DataverseSimData, type Row } from './dataverse-data.js';

export interface DataverseSimOptions {
  data: DataverseSimData;
  latencyMs?: number;
  /** Bearer token required (default true). Any non-empty token is accepted unless `rejectTokens` says otherwise. */
  requireToken?: boolean;
  /** Keep every response body sent (tests check them against the table metadata). */
  record?: boolean;
  /** Clock for the `Date` header (default: the wall clock). */
  now?: () => Date;
}

export interface Fault {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  times?: number;
}

export interface DataverseLogEntry {
  path: string;
  /** The query string exactly as received (`?…`). */
  query: string;
  /** The whole URL as received, origin included: compare with the nextLink that was sent. */
  url: string;
  prefer: string | null;
  authorization: boolean;
  /** performance.now() at arrival (lets tests check a client waited what Retry-After asked). */
  at: number;
  status: number;
}

export interface DataverseSimulator {
  /** The environment URL (the server's origin). */
  url: string;
  apiUrl: string;
  stats: { requests: Record<string, number> };
  /** Every request, in arrival order. */
  log: DataverseLogEntry[];
  sent: { path: string; status: number; body: unknown }[];
  failNext(path: string, fault: Fault): void;
  stallNext(path: string, ms: number, times?: number): void;
  rawNext(path: string, text: string, times?: number): void;
  refuseOrderBy(on: boolean): void;
  /** `seen`: tokens presented so far are refused from now on (revoked); `all`: every token; `none`: accept any. */
  rejectTokens(which: 'none' | 'seen' | 'all'): void;
  /** Runs `fn` just before page `n` (0-based) of a flowruns listing is served: data can move between pages. */
  onPage(n: number, fn: (data: DataverseSimData) => void): void;
  setData(data: DataverseSimData): void;
  close(): Promise<void>;
}

const MAX_PAGE = 5000;
const FORMATTED = 'OData.Community.Display.V1.FormattedValue';
type Pending = { kind: 'fail'; fault: Fault; left: number } | { kind: 'stall'; ms: number; left: number } | { kind: 'raw'; text: string; left: number };
type Op = 'ge' | 'gt' | 'le' | 'lt' | 'eq';
interface Clause {
  col: string;
  op: Op;
  value: string | number;
}

function parseFilter(filter: string | null): Clause[] | { error: string } {
  if (!filter) return [];
  const out: Clause[] = [];
  for (const part of filter.split(/\s+and\s+/i)) {
    const m = /^\s*(\w+)\s+(ge|le|gt|lt|eq)\s+(?:'([^']*)'|(\S+))\s*$/i.exec(part);
    if (!m) return { error: `Syntax error: the $filter near '${part.slice(0, 40)}' is not supported` };
    const bare = m[4];
    out.push({ col: m[1]!, op: m[2]!.toLowerCase() as Op, value: bare !== undefined && /^-?\d+$/.test(bare) ? Number(bare) : (m[3] ?? bare ?? '') });
  }
  return out;
}

function compare(a: unknown, op: Op, b: string | number): boolean {
  const x = typeof b === 'number' ? Number(a) : String(a ?? '');
  switch (op) {
    case 'ge':
      return x >= b;
    case 'gt':
      return x > b;
    case 'le':
      return x <= b;
    case 'lt':
      return x < b;
    default:
      return x === b;
  }
}

/** First index whose value is not below `v` (`strict`: above `v`) in an ascending array. */
function bound(arr: readonly string[], v: string, strict: boolean): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (strict ? arr[mid]! <= v : arr[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const runKey = (r: Row) => `${String(r.modifiedon)}|${String(r.flowrunid)}`;

export async function startDataverseSimulator(opts: DataverseSimOptions): Promise<DataverseSimulator> {
  let data = opts.data;
  // Flow runs sorted once by the key `modifiedon|flowrunid` (plain string order: '|' sorts after every character
  // of an ISO time, so this is (modifiedon, flowrunid) order, and `mods` is ascending too).
  let sorted: Row[] = [];
  let keys: string[] = [];
  let mods: string[] = [];
  const index = () => {
    const keyed = data.flowruns.map((r) => ({ r, k: runKey(r) }));
    keyed.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
    sorted = keyed.map((x) => x.r);
    keys = keyed.map((x) => x.k);
    mods = sorted.map((r) => String(r.modifiedon));
  };
  index();
  const pending = new Map<string, Pending[]>();
  const pageHooks = new Map<number, (d: DataverseSimData) => void>();
  let orderByRefused = false;
  let tokenMode: 'none' | 'seen' | 'all' = 'none';
  const seenTokens = new Set<string>();
  const revoked = new Set<string>();
  const stats: DataverseSimulator['stats'] = { requests: {} };
  const log: DataverseLogEntry[] = [];
  const sent: DataverseSimulator['sent'] = [];
  let origin = '';

  const send = (res: ServerResponse, entry: DataverseLogEntry, status: number, body: unknown, headers: Record<string, string> = {}) => {
    entry.status = status;
    if (opts.record) sent.push({ path: entry.path, status, body });
    res.writeHead(status, { 'content-type': 'application/json; odata.metadata=minimal', 'OData-Version': '4.0', ...headers });
    res.end(body === undefined ? '' : JSON.stringify(body));
  };
  const odataError = (res: ServerResponse, entry: DataverseLogEntry, status: number, code: string, message: string) => send(res, entry, status, { error: { code, message } });

  const take = (path: string): Pending | undefined => {
    const q = pending.get(path);
    const p = q?.[0];
    if (p && --p.left <= 0) q!.shift();
    return p;
  };

  async function handle(req: IncomingMessage, res: ServerResponse, entry: DataverseLogEntry) {
    const u = new URL(req.url ?? '/', origin);
    const path = u.pathname;
    const prefer = entry.prefer ?? '';
    if (opts.latencyMs) await new Promise((r) => setTimeout(r, opts.latencyMs));
    const p = take(path);
    if (p?.kind === 'stall') await new Promise((r) => setTimeout(r, p.ms));
    if (p?.kind === 'raw') {
      entry.status = 200;
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(p.text);
    }
    if (p?.kind === 'fail') return send(res, entry, p.fault.status, p.fault.body ?? { error: { code: '0x80040216', message: 'An unexpected error occurred.' } }, p.fault.headers);

    // An absent, revoked or refused token: 401 with an empty body and the authority to ask, as Dataverse answers.
    const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (opts.requireToken ?? true) {
      if (token) seenTokens.add(token);
      if (!token || tokenMode === 'all' || revoked.has(token)) {
        return send(res, entry, 401, undefined, { 'WWW-Authenticate': `Bearer authorization_uri=https://login.microsoftonline.com/common/oauth2/authorize, resource_id=${origin}/` });
      }
    }

    const entity = path.replace(/^\/api\/data\/v9\.2\//, '');
    if (entity !== 'flowruns' && entity !== 'workflows') return odataError(res, entry, 404, '0x80060888', `Resource not found for the segment '${entity}'.`);
    const q = u.searchParams;
    if (q.has('$skip')) return odataError(res, entry, 400, '0x80060888', 'The query parameter $skip is not supported');
    const select = q.get('$select')?.split(',').map((c) => c.trim());
    const known = entity === 'flowruns' ? FLOWRUN_COLUMNS : WORKFLOW_COLUMNS;
    const unknownColumn = select?.find((c) => !known.includes(c));
    if (unknownColumn) return odataError(res, entry, 400, '0x80060888', `Could not find a property named '${unknownColumn}' on type 'Microsoft.Dynamics.CRM.${entity.slice(0, -1)}'.`);
    const orderby = q.get('$orderby');
    if (orderby && entity === 'flowruns' && orderByRefused) return odataError(res, entry, 400, '0x80048306', 'Sorting ($orderby) is not supported on this elastic table.');
    if (orderby && entity === 'flowruns' && !/^modifiedon( asc)?$/i.test(orderby)) return odataError(res, entry, 400, '0x80060888', `Could not find a property named '${orderby}'.`);
    const clauses = parseFilter(q.get('$filter'));
    if (!Array.isArray(clauses)) return odataError(res, entry, 400, '0x80060888', clauses.error);
    const unknownFilter = clauses.find((c) => !known.includes(c.col));
    if (unknownFilter) return odataError(res, entry, 400, '0x80060888', `Could not find a property named '${unknownFilter.col}'.`);

    const pref = /odata\.maxpagesize=(\d+)/.exec(prefer);
    const pageSize = Math.min(MAX_PAGE, pref && Number(pref[1]) > 0 ? Number(pref[1]) : MAX_PAGE);
    const annotations = /odata\.include-annotations="?([^",]*)/.exec(prefer)?.[1];
    const withFormatted = annotations === '*' || annotations === FORMATTED;
    const top = q.has('$top') ? Math.max(0, Number(q.get('$top'))) : null;
    // The paging cookie carries the page number and the last row's sort key, as Dataverse's does: the next page
    // starts after that row, so rows that move while a client pages are neither skipped nor shifted.
    const cookie = q.get('$skiptoken') ?? '';
    const pageNo = Number(/pagenumber="(\d+)"/.exec(cookie)?.[1] ?? 1) - 1;
    const lastKey = /lastkey="([^"]*)"/.exec(cookie)?.[1];

    const limit = top ?? pageSize;
    const page: Row[] = [];
    let more = false;
    const matches = (r: Row) => clauses.every((c) => compare(r[c.col], c.op, c.value));
    if (entity === 'flowruns') {
      const hook = pageHooks.get(pageNo);
      if (hook) {
        pageHooks.delete(pageNo);
        hook(data);
        index();
      }
      // Binary search narrows to the modifiedon range; the other clauses are checked row by row inside it.
      let lo = 0;
      let hi = sorted.length;
      for (const c of clauses) {
        if (c.col !== 'modifiedon' || typeof c.value !== 'string') continue;
        if (c.op === 'ge' || c.op === 'gt') lo = Math.max(lo, bound(mods, c.value, c.op === 'gt'));
        if (c.op === 'le' || c.op === 'lt') hi = Math.min(hi, bound(mods, c.value, c.op === 'le'));
      }
      // Without $orderby the table answers newest first (an order the client must not rely on).
      const ascending = Boolean(orderby);
      if (lastKey !== undefined) {
        if (ascending) lo = Math.max(lo, bound(keys, lastKey, true));
        else hi = Math.min(hi, bound(keys, lastKey, false));
      }
      for (let i = ascending ? lo : hi - 1; ascending ? i < hi : i >= lo; i += ascending ? 1 : -1) {
        const r = sorted[i]!;
        if (!matches(r)) continue;
        if (page.length === limit) {
          more = true;
          break;
        }
        page.push(r);
      }
    } else {
      const all = data.workflows.filter((r) => matches(r) && (lastKey === undefined || String(r.workflowid) > lastKey));
      all.sort((a, b) => (String(a.workflowid) < String(b.workflowid) ? -1 : 1));
      page.push(...all.slice(0, limit));
      more = all.length > limit;
    }

    const rows = page.map((r) => {
      const out: Row = { '@odata.etag': r['@odata.etag'] };
      for (const c of select ?? Object.keys(r).filter((k) => !k.includes('@'))) {
        out[c] = r[c] ?? null;
        const fv = `${c}@${FORMATTED}`;
        if (withFormatted && fv in r) out[fv] = r[fv];
      }
      return out;
    });
    const body: Row = { '@odata.context': `${origin}/api/data/v9.2/$metadata#${entity}${select ? `(${select.join(',')})` : ''}`, value: rows };
    const last = page[page.length - 1];
    if (top === null && more && last) {
      const next = new URL(u.toString());
      const key = entity === 'flowruns' ? runKey(last) : String(last.workflowid);
      next.searchParams.set('$skiptoken', `<cookie pagenumber="${pageNo + 2}" lastkey="${key}" pagingcookie="%3ccookie%20page%3d%22${pageNo + 2}%22%3e" istracking="False" />`);
      body['@odata.nextLink'] = next.toString();
    }
    const applied = [pref ? `odata.maxpagesize=${pageSize}` : '', annotations ? `odata.include-annotations="${annotations}"` : ''].filter(Boolean).join(',');
    send(res, entry, 200, body, applied ? { 'Preference-Applied': applied } : {});
  }

  const server: Server = createServer((req, res) => {
    // Date from the sim's clock, as a vendor's server stamps its own: the client measures clock skew from it.
    res.setHeader('date', (opts.now ?? (() => new Date()))().toUTCString());
    const u = new URL(req.url ?? '/', origin);
    const prefer = req.headers['prefer'];
    const entry: DataverseLogEntry = {
      path: u.pathname,
      query: u.search,
      url: `${origin}${req.url ?? '/'}`,
      prefer: Array.isArray(prefer) ? prefer.join(',') : (prefer ?? null),
      authorization: Boolean(req.headers.authorization),
      at: performance.now(),
      status: 0,
    };
    log.push(entry);
    stats.requests[u.pathname] = (stats.requests[u.pathname] ?? 0) + 1;
    req.resume();
    req.on('end', () => {
      handle(req, res, entry).catch((e: unknown) => odataError(res, entry, 500, '0x80040216', String(e)));
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
    rejectTokens: (which) => {
      tokenMode = which;
      revoked.clear();
      if (which === 'seen') for (const t of seenTokens) revoked.add(t);
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
