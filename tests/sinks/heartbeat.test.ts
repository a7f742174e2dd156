import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { heartbeatUrl, pingHeartbeat } from '../../sinks/heartbeat.js';

const SECRET_PATH = '/ping/5bf66975-d4c7-4bf5-bcc8-b8d8a82ea278';

describe('pingHeartbeat against a local monitor', () => {
  let server: Server;
  let base: string;
  const seen: { method: string; url: string }[] = [];
  const hanging: IncomingMessage[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push({ method: req.method ?? '', url: req.url ?? '' });
      if (req.url?.startsWith('/broken')) {
        res.writeHead(500).end('error');
      } else if (req.url?.startsWith('/hang')) {
        hanging.push(req); // never answered: the client's deadline ends it
      } else {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('OK');
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('requests the URL on success and URL/fail on a failed cycle', async () => {
    seen.length = 0;
    expect(await pingHeartbeat(`${base}${SECRET_PATH}`, 'ok')).toEqual({ ok: true, status: 200, error: null });
    expect(await pingHeartbeat(`${base}${SECRET_PATH}`, 'fail')).toEqual({ ok: true, status: 200, error: null });
    expect(await pingHeartbeat(`${base}${SECRET_PATH}/`, 'fail')).toEqual({ ok: true, status: 200, error: null });
    expect(seen).toEqual([
      { method: 'GET', url: SECRET_PATH },
      { method: 'GET', url: `${SECRET_PATH}/fail` },
      { method: 'GET', url: `${SECRET_PATH}/fail` },
    ]);
  });

  it('reports an error status without the secret path', async () => {
    const r = await pingHeartbeat(`${base}/broken${SECRET_PATH}`, 'ok');
    expect(r).toEqual({ ok: false, status: 500, error: `heartbeat at 127.0.0.1:${new URL(base).port} answered HTTP 500` });
  });

  it('gives up at its deadline and never throws', async () => {
    const r = await pingHeartbeat(`${base}/hang${SECRET_PATH}`, 'ok', { timeoutMs: 200 });
    expect(r.ok).toBe(false);
    expect(r.status).toBeNull();
    expect(r.error).toMatch(/could not be reached: timed out/);
    expect(r.error).not.toContain('5bf66975');
  });

  it('reports a monitor that is down without the secret path', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const r = await pingHeartbeat(`http://127.0.0.1:${port}${SECRET_PATH}`, 'fail');
    expect(r.ok).toBe(false);
    expect(r.status).toBeNull();
    expect(r.error).toMatch(/^heartbeat at 127\.0\.0\.1:\d+ could not be reached: .*ECONNREFUSED/);
    expect(r.error).not.toContain('5bf66975');
  });
});

describe('pingHeartbeat without a network', () => {
  it('redacts the URL even when the transport error quotes it', async () => {
    const url = `https://hc-ping.com${SECRET_PATH}`;
    const leaky = (async (input: string | URL | Request) => {
      throw new TypeError(`fetch failed for ${String(input)}`, { cause: new Error(`connect to ${url}/fail refused`) });
    }) as typeof fetch;
    const r = await pingHeartbeat(url, 'fail', { fetch: leaky });
    expect(r.ok).toBe(false);
    expect(r.error).toContain('heartbeat at hc-ping.com could not be reached');
    expect(r.error).not.toContain('5bf66975');
  });

  it('refuses what is not an http(s) URL', async () => {
    for (const bad of ['', 'not a url', 'ftp://x/y', 'javascript:alert(1)']) {
      expect(await pingHeartbeat(bad, 'ok')).toEqual({ ok: false, status: null, error: 'the heartbeat URL is not an absolute http(s) URL' });
    }
  });
});

describe('heartbeatUrl', () => {
  it('follows the healthchecks.io convention, trailing slash or not, keeping a query', () => {
    expect(heartbeatUrl('https://hc-ping.com/abc', 'ok')!.href).toBe('https://hc-ping.com/abc');
    expect(heartbeatUrl('https://hc-ping.com/abc', 'fail')!.href).toBe('https://hc-ping.com/abc/fail');
    expect(heartbeatUrl('https://hc-ping.com/abc/', 'fail')!.href).toBe('https://hc-ping.com/abc/fail');
    expect(heartbeatUrl('https://hc-ping.com/key/slug?create=1', 'fail')!.href).toBe('https://hc-ping.com/key/slug/fail?create=1');
  });

  it("uses Cronitor's state parameter for its telemetry URLs", () => {
    expect(heartbeatUrl('https://cronitor.link/p/KEY/pipeline-audit', 'ok')!.href).toBe('https://cronitor.link/p/KEY/pipeline-audit?state=complete');
    expect(heartbeatUrl('https://cronitor.link/p/KEY/pipeline-audit?env=prod', 'fail')!.href).toBe('https://cronitor.link/p/KEY/pipeline-audit?env=prod&state=fail');
  });
});
