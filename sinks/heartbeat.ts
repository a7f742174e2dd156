// The dead man's switch: a ping at the end of every cycle to a monitor outside GitHub, which alerts when the pings
// stop (GitHub delays and drops scheduled runs, and disables the schedules of inactive public repositories) or
// when a ping says the cycle failed.
//
// The convention followed is healthchecks.io's: a request to the ping URL signals success, the same URL with `/fail`
// appended signals a failure (https://healthchecks.io/docs/signaling_failures/, https://healthchecks.io/docs/http_api/).
// Services that copy it (self-hosted Healthchecks among them) work unchanged. Cronitor's telemetry URLs
// (`https://cronitor.link/p/<api key>/<monitor>`) take the state as a query parameter instead: `?state=complete`
// or `?state=fail` (https://cronitor.io/docs/telemetry-api).
//
// The URL is a secret (whoever holds it can report the cycle healthy, and Cronitor's carries an API key): it never
// appears in a result or a message; only its host does.

export type HeartbeatOutcome = 'ok' | 'fail';

export interface HeartbeatResult {
  ok: boolean;
  /** HTTP status, or null when no answer came (refused, timed out, invalid URL). */
  status: number | null;
  /** Why the ping did not succeed, naming only the host. */
  error: string | null;
}

export interface HeartbeatDeps {
  fetch?: typeof globalThis.fetch;
  /** Deadline of the whole request; default 10 s (the cycle is over, the ping must not hold the job). */
  timeoutMs?: number;
}

/** The URL to request for an outcome, or null when `url` is not an absolute http(s) URL. */
export function heartbeatUrl(url: string, outcome: HeartbeatOutcome): URL | null {
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    return null;
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return null;
  if (/(^|\.)cronitor\.link$/i.test(u.hostname)) {
    u.searchParams.set('state', outcome === 'ok' ? 'complete' : 'fail');
    return u;
  }
  if (outcome === 'fail') u.pathname = `${u.pathname.replace(/\/+$/, '')}/fail`;
  return u;
}

/** Pings the heartbeat URL. Never throws. */
export async function pingHeartbeat(url: string, outcome: HeartbeatOutcome, deps: HeartbeatDeps = {}): Promise<HeartbeatResult> {
  const target = heartbeatUrl(url, outcome);
  if (!target) return { ok: false, status: null, error: 'the heartbeat URL is not an absolute http(s) URL' };
  const where = `heartbeat at ${target.host}`;
  const doFetch = deps.fetch ?? globalThis.fetch;
  try {
    const res = await doFetch(target, { method: 'GET', redirect: 'follow', signal: AbortSignal.timeout(deps.timeoutMs ?? 10_000), headers: { 'user-agent': 'pipeline-audit' } });
    // Read the (short) body so the connection is released.
    await res.arrayBuffer().catch(() => undefined);
    if (res.ok) return { ok: true, status: res.status, error: null };
    return { ok: false, status: res.status, error: `${where} answered HTTP ${res.status}` };
  } catch (e) {
    return { ok: false, status: null, error: `${where} could not be reached: ${scrub(describe(e), url, target)}` };
  }
}

function describe(e: unknown): string {
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return 'timed out';
  return [err.message, err.cause?.code ?? err.cause?.message].filter(Boolean).join(': ') || 'unknown error';
}

/** Removes the URL and its secret path from a message, whatever form an error gave them. */
function scrub(message: string, url: string, target: URL): string {
  let out = message;
  for (const s of [url.trim(), target.href, target.pathname + target.search, new URL(url.trim()).pathname]) {
    if (s.length > 1) out = out.split(s).join('[heartbeat path]');
  }
  return out;
}
