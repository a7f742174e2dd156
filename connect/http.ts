// The one HTTP layer every HTTP collector uses: undici with pooling and timeouts, retries through p-retry with
// exponential backoff and jitter on network errors, 408, 429 and 5xx, Retry-After honoured up to a cap, no retry
// on other 4xx, a per-platform concurrency cap, typed errors, one AbortSignal for the cycle, requests counted.
import pRetry, { AbortError } from 'p-retry';
import { Agent, fetch as undiciFetch } from 'undici';
import { HttpError } from '../errors.js';
import { safeUrl } from '../normalize/redact.js';
import { bodySnippet, causeChain, vendorMessage } from './http-errors.js';
import type { TokenProvider } from './tokens.js';

export type QueryValue = string | number | boolean | null | undefined | readonly (string | number)[];

export interface HttpRequest {
  method?: 'GET' | 'POST';
  url: string;
  query?: Record<string, QueryValue>;
  headers?: Record<string, string>;
  /** JSON body (sets content-type). */
  json?: unknown;
  /** Form body (application/x-www-form-urlencoded). */
  form?: Record<string, string>;
  /** Bearer auth; on a 401 the token is invalidated and the request sent once more. */
  auth?: TokenProvider;
  /** Retry transient failures (default true). */
  retry?: boolean;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON body, or null for an empty body. */
  body: unknown;
}

export interface HttpStats {
  requests: number;
  retries: number;
  throttled: number;
  /**
   * How far the local clock (the injected `now`) is ahead of the vendors' clocks, from the `Date` headers of the
   * responses seen (median of the latest ones; negative: behind). 0 when within the header's 1-second resolution
   * plus latency (under 2 s); null until a response carried a valid `Date`.
   */
  clockSkewMs: number | null;
}

export interface HttpClient {
  /** Sends a request; resolves on 2xx with the parsed JSON body, otherwise rejects with an HttpError. */
  request(req: HttpRequest): Promise<HttpResponse>;
  readonly stats: HttpStats;
}

export type FetchLike = (url: string, init: Record<string, unknown>) => Promise<Response>;

export interface HttpOptions {
  /** Requests in flight at once. */
  concurrency?: number;
  /** Retries after the first attempt for retryable failures. */
  retries?: number;
  minDelayMs?: number;
  maxDelayMs?: number;
  /** Longest Retry-After honoured; a longer one is waited only this long. */
  retryAfterCapMs?: number;
  connectTimeoutMs?: number;
  headersTimeoutMs?: number;
  bodyTimeoutMs?: number;
  /** Overall deadline of one attempt, body included. */
  requestTimeoutMs?: number;
}

export const DEFAULT_HTTP_OPTIONS: Required<HttpOptions> = {
  concurrency: 4,
  retries: 4,
  minDelayMs: 500,
  maxDelayMs: 15_000,
  retryAfterCapMs: 60_000,
  connectTimeoutMs: 10_000,
  headersTimeoutMs: 30_000,
  bodyTimeoutMs: 30_000,
  requestTimeoutMs: 60_000,
};

export interface CreateHttpClientArgs {
  signal: AbortSignal;
  options?: HttpOptions;
  /** Injected fetch (tests, library users with their own dispatcher). Default: undici's fetch over a pooled Agent. */
  fetch?: FetchLike;
  /** Literal secrets to scrub from error snippets. */
  secrets?: readonly string[];
  userAgent?: string;
  /** The cycle's clock: Retry-After dates are measured against it. */
  now?: () => Date;
}

/** Parses Retry-After (delta seconds or an HTTP date) into milliseconds from now. */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (!value) return null;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now);
}

function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

function buildUrl(url: string, query: HttpRequest['query']): string {
  if (!query) return url;
  const u = new URL(url);
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null) continue;
    if (Array.isArray(v)) for (const item of v) u.searchParams.append(k, String(item));
    else u.searchParams.set(k, String(v));
  }
  return u.toString();
}

class Semaphore {
  private active = 0;
  private readonly queue: (() => void)[] = [];
  constructor(private readonly max: number) {}
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((r) => this.queue.push(r));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.queue.shift()?.();
    }
  }
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });

// Clock skew: the median of the latest Date headers resists one proxy or cached answer with a stale Date.
const SKEW_SAMPLES = 15;
const SKEW_NOISE_MS = 2_000;
function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : Math.round((s[mid - 1]! + s[mid]!) / 2);
}

interface AttemptError extends Error {
  retryAfterMs?: number | null;
}

/** Creates the HTTP client of one platform for one cycle. Call `close` when the cycle ends. */
export function createHttpClient(args: CreateHttpClientArgs): HttpClient & { close(): Promise<void> } {
  const opts = { ...DEFAULT_HTTP_OPTIONS, ...args.options };
  const now = args.now ?? (() => new Date());
  const agent = args.fetch
    ? undefined
    : new Agent({
        connect: { timeout: opts.connectTimeoutMs },
        headersTimeout: opts.headersTimeoutMs,
        bodyTimeout: opts.bodyTimeoutMs,
        connections: Math.max(1, opts.concurrency),
        keepAliveTimeout: 10_000,
      });
  const doFetch: FetchLike =
    args.fetch ?? ((url, init) => undiciFetch(url, { ...init, dispatcher: agent } as never) as unknown as Promise<Response>);
  const secrets = args.secrets ?? [];
  const sem = new Semaphore(Math.max(1, opts.concurrency));
  const stats: HttpStats = { requests: 0, retries: 0, throttled: 0, clockSkewMs: null };
  const skews: number[] = [];
  const noteDate = (date: string | null) => {
    const at = date ? Date.parse(date) : NaN;
    if (Number.isNaN(at)) return;
    skews.push(now().getTime() - at);
    if (skews.length > SKEW_SAMPLES) skews.shift();
    const m = median(skews);
    stats.clockSkewMs = Math.abs(m) < SKEW_NOISE_MS ? 0 : m;
  };

  async function attempt(req: HttpRequest, url: string, authRetried: { done: boolean }): Promise<HttpResponse> {
    const method = req.method ?? 'GET';
    const headers: Record<string, string> = { accept: 'application/json', ...req.headers };
    if (args.userAgent) headers['user-agent'] = args.userAgent;
    let body: string | undefined;
    if (req.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(req.json);
    } else if (req.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(req.form).toString();
    }
    if (req.auth) headers['authorization'] = `Bearer ${await req.auth.getToken(args.signal)}`;
    const signal = AbortSignal.any([args.signal, AbortSignal.timeout(opts.requestTimeoutMs)]);
    stats.requests++;
    let res: Response;
    let text: string;
    try {
      res = await doFetch(url, { method, headers, body, signal });
      text = await res.text();
    } catch (e) {
      if (args.signal.aborted) throw new AbortError(args.signal.reason instanceof Error ? args.signal.reason : String(args.signal.reason));
      const code = networkCode(e);
      throw new HttpError(
        `${method} ${safeUrl(url)} failed before a response (${causeChain(e, secrets)}); check the base URL and the network.`,
        { status: null, method, url: safeUrl(url), bodySnippet: null, code },
        { cause: e, isRetryable: true },
      );
    }
    noteDate(res.headers.get('date'));
    if (res.status === 401 && req.auth && !authRetried.done) {
      // Expired or revoked token: fetch a new one and send once more, without spending a retry.
      authRetried.done = true;
      req.auth.invalidate();
      return attempt(req, url, authRetried);
    }
    if (res.status < 200 || res.status >= 300) {
      const retryable = isRetryableStatus(res.status);
      if (res.status === 429) stats.throttled++;
      const said = vendorMessage(text, secrets);
      const err = new HttpError(
        `${method} ${safeUrl(url)} answered HTTP ${res.status}${hint(res.status)}${said ? `; the platform said: ${said}` : ''}`,
        { status: res.status, method, url: safeUrl(url), bodySnippet: bodySnippet(text, secrets) },
        { isRetryable: retryable },
      ) as HttpError & AttemptError;
      err.retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), now().getTime());
      throw err;
    }
    let parsed: unknown = null;
    if (text.length > 0) {
      try {
        parsed = JSON.parse(text);
      } catch (e) {
        throw new HttpError(
          `${method} ${safeUrl(url)} answered HTTP ${res.status} with a body that is not JSON`,
          { status: res.status, method, url: safeUrl(url), bodySnippet: bodySnippet(text, secrets, 200) },
          { cause: e, isRetryable: false },
        );
      }
    }
    return { status: res.status, headers: res.headers, body: parsed };
  }

  return {
    stats,
    async request(req) {
      const url = buildUrl(req.url, req.query);
      const authRetried = { done: false };
      return sem.run(() =>
        pRetry(() => attempt(req, url, authRetried), {
          retries: req.retry === false ? 0 : opts.retries,
          factor: 2,
          minTimeout: opts.minDelayMs,
          maxTimeout: opts.maxDelayMs,
          randomize: true,
          signal: args.signal,
          shouldRetry: ({ error }) => error instanceof HttpError && error.isRetryable,
          onFailedAttempt: async ({ error, retriesLeft, retryDelay }) => {
            if (!(error instanceof HttpError) || !error.isRetryable || retriesLeft <= 0) return;
            stats.retries++;
            const ra = (error as AttemptError).retryAfterMs;
            if (ra != null) {
              // p-retry waits `retryDelay` after this; wait the rest of what the server asked for (capped).
              const extra = Math.min(ra, opts.retryAfterCapMs) - retryDelay;
              if (extra > 0) await sleep(extra, args.signal);
            }
          },
        }),
      );
    },
    async close() {
      if (agent && !agent.closed && !agent.destroyed) await agent.close();
    },
  };
}

/** The first `code` along the cause chain (ECONNREFUSED, ENOTFOUND, UND_ERR_CONNECT_TIMEOUT), else the error's name. */
function networkCode(e: unknown): string {
  // Duck-typed: Node's own errors fail `instanceof Error` across realms (a vm context, as under jest).
  for (let c: unknown = e, depth = 0; typeof c === 'object' && c !== null && depth < 6; c = (c as { cause?: unknown }).cause, depth++) {
    const { code, errors } = c as { code?: unknown; errors?: unknown };
    if (typeof code === 'string') return code;
    const inner = Array.isArray(errors) ? errors.map((x) => (x as { code?: unknown } | null)?.code).find((x) => typeof x === 'string') : undefined;
    if (typeof inner === 'string') return inner;
  }
  return (e as { name?: unknown } | null)?.name === undefined ? 'NETWORK' : String((e as { name: unknown }).name);
}

function hint(status: number): string {
  switch (status) {
    case 401:
      return ': the credentials were refused; check the token or client secret';
    case 403:
      return ': the credentials lack permission for this resource';
    case 404:
      return ': not found; check the base URL and ids';
    case 429:
      return ': throttled by the platform';
    default:
      return status >= 500 ? ': the platform had a server error' : '';
  }
}
