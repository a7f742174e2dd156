// A fake Databricks workspace over node:http on 127.0.0.1 (port 0) for tests, the demo and the benchmark. It
// follows the Jobs API 2.2 contract in tests/contracts/databricks-jobs-runs.schema.json: runs/list with limit
// ≤ 25 (400 INVALID_PARAMETER_VALUE above), `runs` omitted when empty, next_page_token/has_more, start-time
// filters, active_only, tasks truncated at 100 with has_more and paged through runs/get; jobs/list; the OAuth
// M2M token endpoint; Bearer checks with the vendor's error body. Runs are sorted once (most recently started
// first), start-time filters are binary searches and page tokens are opaque offsets, so 100,000 runs page fast.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SimData, SimJob, SimRun } from './databricks-data.js';

export interface DatabricksSimOptions {
  data: SimData;
  /** Accepted personal access token. Without token and clientId, requests are not authenticated. */
  token?: string;
  clientId?: string;
  clientSecret?: string;
  /** Lifetime of issued OAuth tokens (default 3600 s). */
  tokenTtlSeconds?: number;
  /** Delay added to every response. */
  latencyMs?: number;
  /** Clock for token expiry and the `Date` header (default: the wall clock). */
  now?: () => Date;
  /** Keep every response sent (tests validate them against the contract). */
  record?: boolean;
}

export interface SentResponse {
  path: string;
  status: number;
  /** Parsed JSON body, or the raw text for an injected malformed body. */
  body: unknown;
  raw: boolean;
}

export interface FaultSpec {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  times?: number;
}

export interface DatabricksSimulator {
  url: string;
  stats: { requests: Record<string, number>; tokensIssued: number; unauthorized: number };
  sent: SentResponse[];
  /** The next `times` requests to `path` answer this status, body and headers. */
  failNext(path: string, fault: FaultSpec): void;
  /** The next `times` requests to `path` wait `ms` before being served (client timeouts). */
  stallNext(path: string, ms: number, times?: number): void;
  /** The next `times` requests to `path` answer 200 with this text (malformed JSON). */
  rawNext(path: string, text: string, times?: number): void;
  /** Issued OAuth tokens stop working (server-side revocation). */
  revokeTokens(): void;
  /** Replaces the workspace's jobs and runs. */
  setData(data: SimData): void;
  close(): Promise<void>;
}

type Fault = { kind: 'fail'; spec: FaultSpec; left: number } | { kind: 'stall'; ms: number; left: number } | { kind: 'raw'; text: string; left: number };

const ACTIVE = new Set(['QUEUED', 'PENDING', 'RUNNING', 'TERMINATING']); // active_only, per the contract
const TASK_PAGE = 100;

function isActive(r: SimRun): boolean {
  const status = r.status as { state?: string } | undefined;
  const state = r.state as { life_cycle_state?: string } | undefined;
  if (status?.state) return ACTIVE.has(status.state);
  if (state?.life_cycle_state) return ACTIVE.has(state.life_cycle_state);
  return r.end_time === 0;
}

interface Index {
  runs: SimRun[]; // most recently started first
  active: SimRun[];
  byId: Map<number, SimRun>;
  jobs: SimJob[];
}

function buildIndex(data: SimData): Index {
  const runs = [...data.runs].sort((a, b) => (b.start_time ?? 0) - (a.start_time ?? 0) || (b.run_id ?? 0) - (a.run_id ?? 0));
  const byId = new Map<number, SimRun>();
  for (const r of runs) if (r.run_id !== undefined) byId.set(r.run_id, r);
  return { runs, active: runs.filter(isActive), byId, jobs: [...data.jobs].sort((a, b) => a.job_id - b.job_id) };
}

/** First index in a start-descending list whose start time is ≤ t (binary search). */
function firstAtOrBefore(list: SimRun[], t: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((list[mid]?.start_time ?? 0) <= t) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

const encodeToken = (kind: string, offset: number) => Buffer.from(`${kind}:${offset}`).toString('base64url');
function decodeToken(kind: string, token: string): number | null {
  const m = /^([a-z]+):(\d+)$/.exec(Buffer.from(token, 'base64url').toString());
  return m && m[1] === kind ? Number(m[2]) : null;
}

class BadRequest extends Error {}

function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw new BadRequest(`Invalid value for parameter ${name}: ${v}`);
  return Number(v);
}
const boolParam = (q: URLSearchParams, name: string) => q.get(name) === 'true';

/** A run as runs/list shows it: without tasks unless expanded, at most 100 of them, has_more when cut. */
function listView(r: SimRun, expand: boolean): SimRun {
  const { tasks, ...rest } = r;
  if (!expand) return rest;
  const all = tasks ?? [];
  return { ...rest, tasks: all.slice(0, TASK_PAGE), has_more: all.length > TASK_PAGE };
}

function listRuns(ix: Index, q: URLSearchParams): unknown {
  const limit = intParam(q, 'limit') ?? 20;
  if (limit < 0 || limit > 25) throw new BadRequest(`Invalid limit ${limit}: the limit must be greater than 0 and at most 25`);
  const size = limit === 0 ? 25 : limit;
  const activeOnly = boolParam(q, 'active_only');
  const completedOnly = boolParam(q, 'completed_only');
  if (activeOnly && completedOnly) throw new BadRequest('active_only and completed_only cannot both be true');
  if (q.get('offset')) throw new BadRequest('offset is deprecated; please use the page_token parameter');
  let list = activeOnly ? ix.active : ix.runs;
  const from = intParam(q, 'start_time_from');
  const to = intParam(q, 'start_time_to');
  let lo = to === undefined ? 0 : firstAtOrBefore(list, to);
  let hi = from === undefined ? list.length : firstAtOrBefore(list, from - 1);
  const jobId = intParam(q, 'job_id');
  const runType = q.get('run_type');
  if (completedOnly || jobId !== undefined || runType) {
    // Rare filters: a linear pass over the start-time range is enough.
    list = list.slice(lo, hi).filter((r) => (!completedOnly || !isActive(r)) && (jobId === undefined || r.job_id === jobId) && (!runType || r.run_type === runType));
    lo = 0;
    hi = list.length;
  }
  const token = q.get('page_token');
  const offset = token ? decodeToken('runs', token) : 0;
  if (offset === null) throw new BadRequest(`Invalid page_token: ${token}`);
  const start = lo + offset;
  const end = Math.min(hi, start + size);
  const page = start < end ? list.slice(start, end).map((r) => listView(r, boolParam(q, 'expand_tasks'))) : [];
  const body: Record<string, unknown> = { has_more: end < hi };
  if (page.length > 0) body.runs = page; // omitted, not [], when empty
  if (end < hi) body.next_page_token = encodeToken('runs', offset + size);
  if (offset > 0) body.prev_page_token = encodeToken('runs', Math.max(0, offset - size));
  return body;
}

function getRun(ix: Index, q: URLSearchParams): unknown {
  const id = intParam(q, 'run_id');
  if (id === undefined) throw new BadRequest('Missing required field: run_id');
  const run = ix.byId.get(id);
  // A missing run is a 400, not a 404 (databricks-sdk-go apierr/error_overrides.go).
  if (!run) throw new BadRequest(`Run ${id} does not exist.`);
  const token = q.get('page_token');
  const offset = token ? decodeToken('tasks', token) : 0;
  if (offset === null) throw new BadRequest(`Invalid page_token: ${token}`);
  const { tasks, ...rest } = run;
  const all = tasks ?? [];
  const body: Record<string, unknown> = { ...rest, tasks: all.slice(offset, offset + TASK_PAGE) };
  if (offset + TASK_PAGE < all.length) body.next_page_token = encodeToken('tasks', offset + TASK_PAGE);
  return body;
}

function listJobs(ix: Index, q: URLSearchParams): unknown {
  const limit = intParam(q, 'limit') ?? 20;
  if (limit < 1 || limit > 100) throw new BadRequest(`Invalid limit ${limit}: the limit must be greater than 0 and at most 100`);
  const name = q.get('name')?.toLowerCase();
  const list = name ? ix.jobs.filter((j) => String((j.settings as { name?: unknown } | undefined)?.name ?? '').toLowerCase() === name) : ix.jobs;
  const token = q.get('page_token');
  const offset = token ? decodeToken('jobs', token) : 0;
  if (offset === null) throw new BadRequest(`Invalid page_token: ${token}`);
  const page = list.slice(offset, offset + limit);
  const more = offset + limit < list.length;
  const body: Record<string, unknown> = { has_more: more };
  if (page.length > 0) body.jobs = page;
  if (more) body.next_page_token = encodeToken('jobs', offset + limit);
  return body;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function formDecode(s: string): string {
  return decodeURIComponent(s.replace(/\+/g, ' '));
}

export async function startDatabricksSimulator(opts: DatabricksSimOptions): Promise<DatabricksSimulator> {
  let ix = buildIndex(opts.data);
  const now = opts.now ?? (() => new Date());
  const ttl = (opts.tokenTtlSeconds ?? 3600) * 1000;
  const issued = new Map<string, number>(); // token -> expiry (ms)
  const faults = new Map<string, Fault[]>();
  const timers = new Set<NodeJS.Timeout>();
  const stats = { requests: {} as Record<string, number>, tokensIssued: 0, unauthorized: 0 };
  const sent: SentResponse[] = [];
  const authRequired = opts.token !== undefined || opts.clientId !== undefined;

  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  function send(res: ServerResponse, path: string, status: number, body: unknown, headers: Record<string, string> = {}) {
    if (opts.record) sent.push({ path, status, body, raw: false });
    if (res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  }
  const error = (res: ServerResponse, path: string, status: number, code: string, message: string) => send(res, path, status, { error_code: code, message });

  function takeFault(path: string): Fault | undefined {
    const q = faults.get(path);
    const f = q?.[0];
    if (!q || !f) return undefined;
    if (--f.left <= 0) q.shift();
    return f;
  }
  function addFault(path: string, f: Fault) {
    const q = faults.get(path) ?? [];
    q.push(f);
    faults.set(path, q);
  }

  function authorized(req: IncomingMessage): boolean {
    if (!authRequired) return true;
    const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    if (!m?.[1]) return false;
    if (opts.token !== undefined && m[1] === opts.token) return true;
    const exp = issued.get(m[1]);
    return exp !== undefined && now().getTime() < exp;
  }

  function issueToken(req: IncomingMessage, res: ServerResponse, path: string, body: string) {
    const form = new URLSearchParams(body);
    if (form.get('grant_type') !== 'client_credentials') {
      return send(res, path, 400, { error: 'unsupported_grant_type', error_description: 'grant_type must be client_credentials' });
    }
    const m = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
    const [id, ...secret] = m?.[1] ? Buffer.from(m[1], 'base64').toString('utf8').split(':') : [];
    if (opts.clientId === undefined || formDecode(id ?? '') !== opts.clientId || formDecode(secret.join(':')) !== opts.clientSecret) {
      stats.unauthorized++;
      return send(res, path, 401, { error: 'invalid_client', error_description: 'Client authentication failed' });
    }
    stats.tokensIssued++;
    const token = `sim-oauth-${stats.tokensIssued}-${(stats.tokensIssued * 2654435761) % 1e9}`;
    issued.set(token, now().getTime() + ttl);
    send(res, path, 200, { access_token: token, token_type: 'Bearer', expires_in: ttl / 1000, scope: form.get('scope') ?? 'all-apis' });
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = u.pathname;
    stats.requests[path] = (stats.requests[path] ?? 0) + 1;
    const body = req.method === 'POST' ? await readBody(req) : '';
    if (opts.latencyMs) await wait(opts.latencyMs);
    const fault = takeFault(path);
    if (fault?.kind === 'stall') await wait(fault.ms);
    if (fault?.kind === 'fail') return send(res, path, fault.spec.status, fault.spec.body ?? { error_code: 'INJECTED', message: `HTTP ${fault.spec.status}` }, fault.spec.headers);
    if (fault?.kind === 'raw') {
      if (opts.record) sent.push({ path, status: 200, body: fault.text, raw: true });
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(fault.text);
    }
    if (path === '/oidc/v1/token') {
      if (req.method !== 'POST') return error(res, path, 405, 'BAD_REQUEST', 'Use POST');
      return issueToken(req, res, path, body);
    }
    if (!authorized(req)) {
      stats.unauthorized++;
      return error(res, path, 401, 'UNAUTHENTICATED', 'Invalid access token.');
    }
    try {
      if (req.method === 'GET' && path === '/api/2.2/jobs/runs/list') return send(res, path, 200, listRuns(ix, u.searchParams));
      if (req.method === 'GET' && path === '/api/2.2/jobs/runs/get') return send(res, path, 200, getRun(ix, u.searchParams));
      if (req.method === 'GET' && path === '/api/2.2/jobs/list') return send(res, path, 200, listJobs(ix, u.searchParams));
    } catch (e) {
      if (e instanceof BadRequest) return error(res, path, 400, 'INVALID_PARAMETER_VALUE', e.message);
      throw e;
    }
    return error(res, path, 404, 'ENDPOINT_NOT_FOUND', `No API found for '${req.method} ${path}'`);
  }

  const server: Server = createServer((req, res) => {
    // Date from the sim's clock, as a vendor's server stamps its own: the client measures clock skew from it.
    res.setHeader('date', now().toUTCString());
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent && !res.destroyed) error(res, req.url ?? '', 500, 'INTERNAL_ERROR', e instanceof Error ? e.message : String(e));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    sent,
    failNext: (path, spec) => addFault(path, { kind: 'fail', spec, left: spec.times ?? 1 }),
    stallNext: (path, ms, times = 1) => addFault(path, { kind: 'stall', ms, left: times }),
    rawNext: (path, text, times = 1) => addFault(path, { kind: 'raw', text, left: times }),
    revokeTokens: () => issued.clear(),
    setData: (data) => {
      ix = buildIndex(data);
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
