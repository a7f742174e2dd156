// The HTTP layer against a local server: what is retried, what is not, Retry-After in both forms and its cap.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHttpClient, parseRetryAfter } from '../../connect/http.js';
import { paginate } from '../../connect/paging.js';
import { HttpError } from '../../errors.js';

let server: Server;
let base = '';
const script: { status: number; headers?: Record<string, string>; body?: string }[] = [];
const seen: { at: number; auth: string | undefined }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ at: Date.now(), auth: req.headers.authorization });
    const next = script.shift() ?? { status: 200, body: '{"ok":true}' };
    res.writeHead(next.status, { 'content-type': 'application/json', ...next.headers });
    res.end(next.body ?? '{"error":"x"}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

const client = (over: Parameters<typeof createHttpClient>[0]['options'] = {}) =>
  createHttpClient({ signal: new AbortController().signal, options: { retries: 3, minDelayMs: 1, maxDelayMs: 5, ...over }, secrets: ['s3cret-value'] });

describe('HTTP layer', () => {
  it('parses Retry-After as seconds or as an HTTP date', () => {
    expect(parseRetryAfter('3', 0)).toBe(3000);
    expect(parseRetryAfter('Tue, 01 Dec 2026 10:00:02 GMT', Date.parse('2026-12-01T10:00:00Z'))).toBe(2000);
    expect(parseRetryAfter('soon', 0)).toBeNull();
  });

  it('retries 408, 429 and 5xx, honouring an HTTP-date Retry-After', async () => {
    seen.length = 0;
    script.push({ status: 408 }, { status: 429, headers: { 'retry-after': new Date(Date.now() + 1500).toUTCString() } }, { status: 502 });
    const c = client();
    const res = await c.request({ url: `${base}/x` });
    expect(res.body).toEqual({ ok: true });
    expect(c.stats).toEqual({ requests: 4, retries: 3, throttled: 1, clockSkewMs: 0 });
    expect(seen[2]!.at - seen[1]!.at).toBeGreaterThanOrEqual(400); // waited for the date, not the 1-5 ms backoff
    await c.close();
  });

  it('caps a long Retry-After', async () => {
    seen.length = 0;
    script.push({ status: 503, headers: { 'retry-after': '3600' } });
    const c = client({ retryAfterCapMs: 50 });
    await c.request({ url: `${base}/cap` });
    expect(seen[1]!.at - seen[0]!.at).toBeLessThan(2000);
    await c.close();
  });

  it('does not retry other 4xx, and its typed error keeps status, a clean URL and a redacted snippet', async () => {
    script.push({ status: 404, body: '{"message":"no such thing; key=s3cret-value"}' });
    const c = client();
    const err = await c.request({ url: `${base}/missing?token=abc&page=1` }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    const h = err as HttpError;
    expect([h.status, h.isRetryable, c.stats.requests]).toEqual([404, false, 1]);
    expect(h.url).toBe(`${base}/missing?token=REDACTED&page=1`);
    expect(h.bodySnippet).not.toContain('s3cret-value');
    await c.close();
  });

  it('fetches a new token once on a 401, then gives up', async () => {
    seen.length = 0;
    let n = 0;
    let invalidated = 0;
    const auth = { getToken: async () => `tok-${++n}`, invalidate: () => void invalidated++ };
    script.push({ status: 401 }, { status: 200, body: '{}' });
    const c = client();
    await c.request({ url: `${base}/auth`, auth });
    expect(seen.map((s) => s.auth)).toEqual(['Bearer tok-1', 'Bearer tok-2']);
    script.push({ status: 401 }, { status: 401 });
    await expect(c.request({ url: `${base}/auth`, auth })).rejects.toMatchObject({ status: 401 });
    expect(invalidated).toBe(2);
    await c.close();
  });

  it('reports a network failure as a retryable HttpError with its code', async () => {
    const c = client({ retries: 1 });
    const err = (await c.request({ url: 'http://127.0.0.1:9/' }).catch((e: unknown) => e)) as HttpError;
    expect(err).toBeInstanceOf(HttpError);
    expect(err.status).toBeNull();
    expect(err.isRetryable).toBe(true);
    expect(c.stats.requests).toBe(2);
    await c.close();
  });

  it('stops paging at the cap and says so', async () => {
    const caps: string[] = [];
    const items = await paginate<number, number>({ first: 0, maxPages: 3, label: 'test', onCap: (m) => caps.push(m), fetchPage: async (p) => ({ items: [p], next: p + 1 }) });
    expect(items).toEqual([0, 1, 2]);
    expect(caps[0]).toMatch(/page cap \(3 pages\)/);
  });
});

describe('clock skew from Date headers', () => {
  const NOW = new Date('2026-11-23T12:00:00Z');
  const skewed = (over: () => Date) =>
    createHttpClient({ signal: new AbortController().signal, options: { retries: 0 }, now: over });

  it.each([
    ['ahead', -30, 30 * 86_400_000],
    ['behind', 30, -30 * 86_400_000],
  ])('measures a local clock 30 days %s of the vendor', async (_name, vendorOffsetDays, expected) => {
    const vendorDate = new Date(NOW.getTime() + vendorOffsetDays * 86_400_000).toUTCString();
    script.push({ status: 200, headers: { date: vendorDate }, body: '{}' }, { status: 404, headers: { date: vendorDate }, body: '{}' });
    const c = skewed(() => NOW);
    expect(c.stats.clockSkewMs).toBeNull();
    await c.request({ url: `${base}/skew` });
    await c.request({ url: `${base}/skew` }).catch(() => null); // an error response's Date counts too
    expect(c.stats.clockSkewMs).toBe(expected);
    await c.close();
  });

  it('takes the median, reads under two seconds as no skew (Date has 1-second resolution), and ignores a bad Date', async () => {
    script.push({ status: 200, headers: { date: new Date(NOW.getTime() - 1900).toUTCString() /* truncated to 11:59:58: 2 s */ }, body: '{}' });
    const c = skewed(() => NOW);
    await c.request({ url: `${base}/skew` });
    expect(c.stats.clockSkewMs).toBe(2000);
    script.push({ status: 200, headers: { date: new Date(NOW.getTime() + 1000).toUTCString() }, body: '{}' }, { status: 200, headers: { date: NOW.toUTCString() }, body: '{}' });
    await c.request({ url: `${base}/skew` });
    await c.request({ url: `${base}/skew` });
    expect(c.stats.clockSkewMs).toBe(0); // median of 2 s, -1 s and 0 s
    script.push({ status: 200, headers: { date: 'not a date' }, body: '{}' });
    const d = skewed(() => NOW);
    await d.request({ url: `${base}/skew` });
    expect(d.stats.clockSkewMs).toBeNull();
    await Promise.all([c.close(), d.close()]);
  });
});

describe('paging loop guard', () => {
  it('stops a listing whose vendor repeats a page token, after two pages, as incomplete', async () => {
    const repeats: string[] = [];
    let fetched = 0;
    const items = await paginate<string | null, number>({
      first: null,
      maxPages: 10_000,
      label: 'test runs/list',
      onCap: (m) => repeats.push(m),
      fetchPage: async () => ({ items: [++fetched], next: 'same-token' }),
    });
    expect(fetched).toBe(2);
    expect(items).toEqual([1, 2]);
    expect(repeats).toEqual([expect.stringMatching(/^test runs\/list: the vendor repeated a page token/)]);
  });

  it('detects a cycle of links, not only an immediate repeat; a custom key can opt a cursor out', async () => {
    const links = ['a', 'b', 'c', 'a'];
    let i = 0;
    const msgs: string[] = [];
    await paginate<string, never>({ first: 'start', maxPages: 100, label: 'l', onCap: () => msgs.push('cap'), onRepeat: (m) => msgs.push(m), fetchPage: async () => ({ items: [], next: links[i++] }) });
    expect(i).toBe(4);
    expect(msgs).toEqual([expect.stringMatching(/repeated a page token/)]);
    let n = 0;
    await paginate<string, never>({ first: 'x', maxPages: 5, label: 'l', cursorKey: () => null, onCap: () => msgs.push('cap'), fetchPage: async () => ({ items: [], next: n++ < 3 ? 'x' : undefined }) });
    expect(n).toBe(4);
  });
});
