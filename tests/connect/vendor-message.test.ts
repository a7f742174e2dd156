// A refused request says what the platform said: the vendor's message from the body, bounded and redacted; a
// request that got no answer says why (the cause chain), not the wrapper's class name.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHttpClient } from '../../connect/http.js';
import { vendorMessage } from '../../connect/vendor-message.js';
import { HttpError } from '../../errors.js';

let server: Server;
let base = '';
let next: { status: number; body: string } = { status: 200, body: '{}' };

beforeAll(async () => {
  server = createServer((_req, res) => {
    res.writeHead(next.status, { 'content-type': 'application/json' });
    res.end(next.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

const SECRET = 'sekrit-client-value-123';

async function refusal(status: number, body: string): Promise<HttpError> {
  next = { status, body };
  const c = createHttpClient({ signal: new AbortController().signal, options: { retries: 0 }, secrets: [SECRET] });
  try {
    await c.request({ url: `${base}/api/data/v9.2/flowruns` });
  } catch (e) {
    return e as HttpError;
  } finally {
    await c.close();
  }
  throw new Error('expected a refusal');
}

describe('the vendor message of a refused request', () => {
  it('finds OData, problem details, Databricks and OAuth messages', () => {
    expect(vendorMessage('{"error":{"code":"0x80060888","message":"Could not find a property named \'bogus\'."}}')).toBe("Could not find a property named 'bogus'.");
    expect(vendorMessage('{"type":"about:blank","title":"Bad Request","detail":"workspaceIds must be UUIDs"}')).toBe('workspaceIds must be UUIDs');
    expect(vendorMessage('{"error_code":"INVALID_PARAMETER_VALUE","message":"limit must be <= 100"}')).toBe('limit must be <= 100');
    expect(vendorMessage('{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret"}')).toBe('AADSTS7000215: Invalid client secret');
    expect(vendorMessage('<html><body>502 Bad Gateway</body></html>')).toBeNull();
    expect(vendorMessage('{"unrelated":1}')).toBeNull();
    expect(vendorMessage(JSON.stringify({ message: `line one\nline two ${'x'.repeat(1000)}` }))!.length).toBeLessThanOrEqual(300);
  });

  it('puts the OData error message of an HTTP 400 in the error, redacted', async () => {
    const e = await refusal(400, JSON.stringify({ error: { code: '0x0', message: `Invalid $filter: unknown field statecode (client_secret=${SECRET})` } }));
    expect(e).toBeInstanceOf(HttpError);
    expect(e.message).toMatch(/answered HTTP 400 \(the platform said: Invalid \$filter: unknown field statecode/);
    expect(e.message).not.toContain(SECRET);
  });

  it('names the cause of a request that got no answer', async () => {
    const c = createHttpClient({ signal: new AbortController().signal, options: { retries: 0 } });
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const e = (await c.request({ url: `http://127.0.0.1:${port}/x` }).catch((x: unknown) => x)) as HttpError;
    await c.close();
    expect(e.message).toMatch(/failed before a response: fetch failed: connect ECONNREFUSED 127\.0\.0\.1:\d+/);
    expect(e.code).toBe('ECONNREFUSED');
  });
});
