// A fake Airbyte server over node:http on 127.0.0.1 (port 0) for tests, the demo and the benchmark. It follows
// tests/contracts/airbyte-public-api.openapi.yaml and reproduces the quirks of the real server (platform-apis.md
// §1): createdAt ASC when orderBy is absent; orderBy validated by regex (400 problem otherwise); limit 1..100;
// `next` rebuilt from the configured host with only jobType/connectionId/workspaceIds/limit/offset (filters and
// order dropped) and "" only on an empty page; RFC 9457 problem JSON errors; a load-shed 429 without Retry-After;
// Java timestamps without zero seconds; application tokens as RS256-looking JWTs with `exp`. It also serves the
// config API's POST /api/v1/jobs/get_without_logs and /jobs/get (airbyte-config-api.openapi.yaml). Jobs are
// sorted once per filter set and time filters are binary searches, so 100,000 jobs page fast.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { renderConnection, renderJob, renderJobInfo, renderWorkspace, type AirbyteSimData, type SimJob } from './airbyte-data.js';
import { badRequest, DOCS, forbidden, intParam, invalidKey, listParam, notFound, Problem, selectJobs } from './airbyte-query.js';

export interface AirbyteSimOptions {
  data: AirbyteSimData;
  /** Application credentials accepted by POST /applications/token. */
  clientId?: string;
  clientSecret?: string;
  /** A static bearer token accepted as is. Without apiKey and clientId, requests are not authenticated. */
  apiKey?: string;
  /** `expires_in` of issued tokens (default 900 s, the server default). */
  tokenTtlSeconds?: number;
  /** Lifetime written into the JWT `exp` (default tokenTtlSeconds); shorter mimics Cloud's 180 s tokens. */
  jwtExpSeconds?: number;
  latencyMs?: number;
  /** Clock for token expiry and the `Date` header (default: the wall clock). */
  now?: () => Date;
  /** Public API path prefix: `/v1` (Cloud, default) or `/api/public/v1` (self-managed). */
  pathPrefix?: string;
  /** Host the `next`/`previous` links are built from (default: this server). */
  apiHost?: string;
  /** Workspaces the credentials may not read: asking for one is a 403. */
  forbiddenWorkspaces?: string[];
  /** Serve the config API (default true); false answers 404 there. */
  configApiEnabled?: boolean;
  /** Keep every response sent (tests validate them against the contract). */
  record?: boolean;
}

export interface SentResponse {
  path: string;
  status: number;
  body: unknown;
  /** An injected body (malformed JSON, a hand-made page): not checked against the contract. */
  raw: boolean;
}
export interface RequestRecord {
  method: string;
  path: string;
  query: URLSearchParams;
}
export interface FaultSpec {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  times?: number;
}

export interface AirbyteSimulator {
  /** Public API base, prefix included, e.g. http://127.0.0.1:1234/v1. */
  url: string;
  /** Config API base, e.g. http://127.0.0.1:1234/api. */
  configApiUrl: string;
  stats: { requests: Record<string, number>; tokensIssued: number; unauthorized: number };
  log: RequestRecord[];
  sent: SentResponse[];
  data: AirbyteSimData;
  /** The next `times` requests whose path starts with `path` answer this status, body and headers. */
  failNext(path: string, fault: FaultSpec): void;
  /** The next `times` requests whose path starts with `path` wait `ms` first. */
  stallNext(path: string, ms: number, times?: number): void;
  /** The next `times` requests whose path starts with `path` answer 200 with this text. */
  rawNext(path: string, text: string, times?: number): void;
  /** The next `times` API requests are load-shed: 429 with `{message}` and no Retry-After. */
  loadShedNext(times?: number): void;
  /** Runs `fn` just before the n-th GET /jobs listing from now (1 = the next one) is served. */
  onPage(n: number, fn: (sim: AirbyteSimulator) => void): void;
  /** Changes one job (e.g. moves its updatedAt) as the server would between two requests. */
  updateJob(jobId: number, patch: Partial<SimJob>): void;
  /** Serves these jobs from now on (the same connections): a new dataset on the same server, any number of times. */
  replaceJobs(jobs: SimJob[]): void;
  revokeTokens(): void;
  /** A broken server (or proxy) that answers every listing page as if `offset` were 0. */
  ignoreOffset(on: boolean): void;
  close(): Promise<void>;
}

type Fault = { kind: 'fail'; spec: FaultSpec; left: number } | { kind: 'stall'; ms: number; left: number } | { kind: 'raw'; text: string; left: number };


const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startAirbyteSimulator(opts: AirbyteSimOptions): Promise<AirbyteSimulator> {
  const prefix = (opts.pathPrefix ?? '/v1').replace(/\/+$/, '');
  const now = opts.now ?? (() => new Date());
  const ttl = opts.tokenTtlSeconds ?? 900;
  const jwtLife = opts.jwtExpSeconds ?? ttl;
  const forbiddenWs = new Set(opts.forbiddenWorkspaces ?? []);
  let offsetIgnored = false;
  const issued = new Map<string, number>(); // token -> exp (ms)
  const faults: { path: string; fault: Fault }[] = [];
  const pageHooks: { at: number; fn: (sim: AirbyteSimulator) => void }[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const authRequired = opts.apiKey !== undefined || opts.clientId !== undefined;
  let jobListings = 0;
  let loadShed = 0;
  let connOf = new Map<string, string>(); // connectionId -> workspaceId
  let byId = new Map<number, SimJob>();
  const sorted = new Map<string, SimJob[]>(); // `${workspaces}|${field}` -> jobs, that field descending

  const reindex = () => {
    connOf = new Map(sim.data.connections.map((c) => [c.connectionId, c.workspaceId]));
    byId = new Map(sim.data.jobs.map((j) => [j.jobId, j]));
    sorted.clear();
  };
  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  /** The workspaces a request may read: the ones asked for (403 if any is forbidden), else all allowed. */
  function workspacesOf(q: URLSearchParams): Set<string> {
    const asked = listParam(q, 'workspaceIds');
    for (const w of asked) {
      if (!/^[0-9a-f-]{36}$/i.test(w)) throw badRequest(`workspaceIds must be UUIDs, got ${w}`);
      if (forbiddenWs.has(w)) throw forbidden(`User does not have the required permissions to access workspace ${w}.`);
    }
    return new Set(asked.length ? asked : sim.data.workspaces.map((w) => w.workspaceId).filter((w) => !forbiddenWs.has(w)));
  }

  function jobsSortedBy(ws: Set<string>, field: 'updatedAt' | 'createdAt'): SimJob[] {
    const key = `${[...ws].sort().join(',')}|${field}`;
    let list = sorted.get(key);
    if (!list) {
      list = sim.data.jobs.filter((j) => ws.has(connOf.get(j.connectionId) ?? '')).sort((a, b) => b[field] - a[field] || b.jobId - a.jobId);
      sorted.set(key, list);
    }
    return list;
  }

  /** `next`/`previous` as PaginationMapper builds them: configured host, only these parameters. */
  function link(path: string, q: URLSearchParams, limit: number, offset: number): string {
    const u = new URL(`${opts.apiHost ?? sim.url.slice(0, sim.url.length - prefix.length)}${prefix}${path}`);
    for (const k of ['jobType', 'connectionId', 'workspaceIds', 'includeDeleted']) for (const v of q.getAll(k)) u.searchParams.append(k, v);
    u.searchParams.set('limit', String(limit));
    u.searchParams.set('offset', String(offset));
    return u.toString();
  }
  const envelope = (path: string, q: URLSearchParams, data: unknown[], limit: number, offset: number) => {
    const body: Record<string, unknown> = { data, next: data.length === 0 ? '' : link(path, q, limit, offset + limit) };
    if (offset > 0) body.previous = link(path, q, limit, Math.max(0, offset - limit));
    return body;
  };

  function listJobs(q: URLSearchParams): unknown {
    const limit = intParam(q, 'limit', 20, 1, 100);
    const offset = offsetIgnored ? 0 : intParam(q, 'offset', 0, 0, 2 ** 31 - 1);
    const orderBy = q.get('orderBy') ?? 'createdAt|ASC'; // the controller's default: oldest first
    const m = /^([a-zA-Z0-9]+)\|(ASC|DESC)$/.exec(orderBy);
    if (!m || (m[1] !== 'createdAt' && m[1] !== 'updatedAt')) throw badRequest(`Invalid order by clause provided: ${orderBy}`);
    const field = m[1] as 'createdAt' | 'updatedAt';
    const ws = workspacesOf(q);
    const data = selectJobs(jobsSortedBy(ws, field), field, m[2] === 'DESC', q, offset, limit).map(renderJob);
    return envelope('/jobs', q, data, limit, offset);
  }

  function getJob(id: string): unknown {
    const job = /^\d+$/.test(id) ? byId.get(Number(id)) : undefined;
    if (!job) throw notFound(id, 'job');
    if (forbiddenWs.has(connOf.get(job.connectionId) ?? '')) throw forbidden(`User does not have the required permissions to access job ${id}.`);
    return renderJob(job);
  }

  function listConnections(q: URLSearchParams): unknown {
    const limit = intParam(q, 'limit', 20, 1, 100);
    const offset = offsetIgnored ? 0 : intParam(q, 'offset', 0, 0, 2 ** 31 - 1);
    const ws = workspacesOf(q);
    const withDeleted = q.get('includeDeleted') === 'true';
    const all = sim.data.connections.filter((c) => ws.has(c.workspaceId) && (withDeleted || c.status !== 'deprecated'));
    return envelope('/connections', q, all.slice(offset, offset + limit).map(renderConnection), limit, offset);
  }

  function listWorkspaces(q: URLSearchParams): unknown {
    const limit = intParam(q, 'limit', 20, 1, 100);
    const offset = intParam(q, 'offset', 0, 0, 2 ** 31 - 1);
    const ws = workspacesOf(q);
    const all = sim.data.workspaces.filter((w) => ws.has(w.workspaceId));
    return envelope('/workspaces', q, all.slice(offset, offset + limit).map(renderWorkspace), limit, offset);
  }

  function issueToken(body: string, type: string | undefined): unknown {
    let fields: Record<string, unknown>;
    try {
      fields = type?.includes('json') ? (JSON.parse(body) as Record<string, unknown>) : Object.fromEntries(new URLSearchParams(body));
    } catch {
      throw badRequest('The token request body is not JSON');
    }
    // The server checks only the id and secret (the grant is spelled two ways by Airbyte's own clients).
    if (opts.clientId === undefined || fields.client_id !== opts.clientId || fields.client_secret !== opts.clientSecret) {
      sim.stats.unauthorized++;
      throw new Problem(401, 'invalid-api-key', `${DOCS}#invalid-api-key`, 'Invalid client id or token');
    }
    const n = ++sim.stats.tokensIssued;
    const iat = Math.floor(now().getTime() / 1000);
    const header = b64({ alg: 'RS256', typ: 'JWT', kid: 'sim-key-1' });
    const payload = b64({ iss: 'airbyte-sim', sub: `user-${opts.clientId}`, aud: 'airbyte-server', iat, exp: iat + jwtLife, jti: `t${n}` });
    const token = `${header}.${payload}.${Buffer.from(`sim-signature-${n}-${(n * 2654435761) % 1e9}`).toString('base64url')}`;
    issued.set(token, (iat + jwtLife) * 1000);
    return { access_token: token, token_type: 'Bearer', expires_in: ttl };
  }

  function authorized(req: IncomingMessage): boolean {
    if (!authRequired) return true;
    const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    if (!m?.[1]) return false;
    if (opts.apiKey !== undefined && m[1] === opts.apiKey) return true;
    const exp = issued.get(m[1]);
    return exp !== undefined && now().getTime() < exp;
  }

  function configApi(path: string, body: string): unknown {
    if (opts.configApiEnabled === false) throw Object.assign(new Error('Not found'), { configStatus: 404 });
    let id: unknown;
    try {
      id = (JSON.parse(body) as { id?: unknown }).id;
    } catch {
      id = undefined;
    }
    if (typeof id !== 'number' || !Number.isInteger(id)) throw Object.assign(new Error('id: must be an integer'), { configStatus: 422 });
    const job = byId.get(id);
    if (!job) throw Object.assign(new Error(`Could not find job with id: ${id}`), { configStatus: 404 });
    if (forbiddenWs.has(connOf.get(job.connectionId) ?? '')) throw Object.assign(new Error('Forbidden'), { configStatus: 403 });
    return renderJobInfo(job, path.endsWith('/jobs/get'));
  }

  function send(res: ServerResponse, path: string, status: number, body: unknown, headers: Record<string, string> = {}, raw = false) {
    if (opts.record) sim.sent.push({ path, status, body, raw });
    if (res.destroyed) return;
    const type = status >= 400 && isObj(body) && 'title' in body ? 'application/problem+json' : 'application/json';
    res.writeHead(status, { 'content-type': type, ...headers });
    res.end(typeof body === 'string' && raw ? body : JSON.stringify(body));
  }
  const problem = (res: ServerResponse, path: string, p: Problem) =>
    send(res, path, p.status, { type: p.type, title: p.title, status: p.status, detail: p.detail, documentationUrl: DOCS, ...(p.data ? { data: p.data } : {}) });

  function takeFault(path: string): Fault | undefined {
    const i = faults.findIndex((f) => path.startsWith(f.path));
    const f = faults[i]?.fault;
    if (!f) return undefined;
    if (--f.left <= 0) faults.splice(i, 1);
    return f;
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = u.pathname;
    sim.stats.requests[path] = (sim.stats.requests[path] ?? 0) + 1;
    sim.log.push({ method: req.method ?? 'GET', path, query: u.searchParams });
    const body = req.method === 'POST' ? await readBody(req) : '';
    if (opts.latencyMs) await wait(opts.latencyMs);
    const isConfig = path.startsWith('/api/v1/');
    const rel = isConfig ? path : path.startsWith(`${prefix}/`) ? path.slice(prefix.length) : null;
    if (req.method === 'GET' && rel === '/jobs') {
      jobListings++;
      for (const h of pageHooks.filter((p) => p.at === jobListings)) h.fn(sim);
    }
    const fault = takeFault(path);
    if (fault?.kind === 'stall') await wait(fault.ms);
    if (fault?.kind === 'fail') return send(res, path, fault.spec.status, fault.spec.body ?? { type: DOCS, title: 'injected', status: fault.spec.status, detail: `HTTP ${fault.spec.status}` }, fault.spec.headers);
    if (fault?.kind === 'raw') return send(res, path, 200, fault.text, {}, true);
    if (loadShed > 0 && rel !== '/applications/token') {
      loadShed--;
      // PublicApiLoadShedFilter: a plain message, no Retry-After.
      return send(res, path, 429, { message: 'Too many requests. Please try again later.' });
    }
    try {
      if (rel === '/applications/token' && req.method === 'POST') return send(res, path, 200, issueToken(body, req.headers['content-type']));
      if (!authorized(req)) {
        sim.stats.unauthorized++;
        throw invalidKey();
      }
      if (isConfig && req.method === 'POST' && (path === '/api/v1/jobs/get_without_logs' || path === '/api/v1/jobs/get')) {
        try {
          return send(res, path, 200, configApi(path, body));
        } catch (e) {
          const status = (e as { configStatus?: number }).configStatus ?? 500;
          return send(res, path, status, { message: (e as Error).message });
        }
      }
      if (req.method === 'GET' && rel === '/jobs') return send(res, path, 200, listJobs(u.searchParams));
      const jobPath = rel ? /^\/jobs\/([^/]+)$/.exec(rel) : null;
      if (req.method === 'GET' && jobPath?.[1]) return send(res, path, 200, getJob(jobPath[1]));
      if (req.method === 'GET' && rel === '/connections') return send(res, path, 200, listConnections(u.searchParams));
      if (req.method === 'GET' && rel === '/workspaces') return send(res, path, 200, listWorkspaces(u.searchParams));
      if (isConfig) return send(res, path, 404, { message: `No handler for ${req.method} ${path}` });
      throw notFound(path, 'endpoint');
    } catch (e) {
      if (e instanceof Problem) return problem(res, path, e);
      throw e;
    }
  }

  const server: Server = createServer((req, res) => {
    // Date from the sim's clock, as a vendor's server stamps its own: the client measures clock skew from it.
    res.setHeader('date', now().toUTCString());
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent && !res.destroyed) problem(res, req.url ?? '', new Problem(500, 'unexpected-problem', DOCS, e instanceof Error ? e.message : String(e)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;

  const addFault = (path: string, fault: Fault) => faults.push({ path, fault });
  const sim: AirbyteSimulator = {
    url: `${origin}${prefix}`,
    configApiUrl: `${origin}/api`,
    stats: { requests: {}, tokensIssued: 0, unauthorized: 0 },
    log: [],
    sent: [],
    data: opts.data,
    failNext: (path, spec) => addFault(path, { kind: 'fail', spec, left: spec.times ?? 1 }),
    stallNext: (path, ms, times = 1) => addFault(path, { kind: 'stall', ms, left: times }),
    rawNext: (path, text, times = 1) => addFault(path, { kind: 'raw', text, left: times }),
    loadShedNext: (times = 1) => {
      loadShed += times;
    },
    onPage: (n, fn) => pageHooks.push({ at: jobListings + n, fn }),
    updateJob: (jobId, patch) => {
      const job = byId.get(jobId);
      if (!job) throw new Error(`no job ${jobId} in the simulator`);
      Object.assign(job, patch);
      sorted.clear();
    },
    replaceJobs: (jobs) => {
      sim.data.jobs.splice(0, sim.data.jobs.length, ...jobs);
      reindex();
    },
    revokeTokens: () => issued.clear(),
    ignoreOffset: (on) => {
      offsetIgnored = on;
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  reindex();
  return sim;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}
