// What an HTTP failure tells the reader: the vendor's own message (every error shape the platforms use), redacted
// before it is cut, and the cause chain of a request that got no answer.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHttpClient } from '../../connect/http.js';
import { causeChain, extractVendorMessage, vendorMessage, bodySnippet } from '../../connect/http-errors.js';
import { HttpError } from '../../errors.js';

let server: Server;
let base = '';
const script: { status: number; body: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const next = script.shift() ?? { status: 200, body: '{}' };
    res.writeHead(next.status, { 'content-type': 'application/json' });
    res.end(next.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

const clients: ReturnType<typeof createHttpClient>[] = [];
const client = () => {
  const c = createHttpClient({ signal: new AbortController().signal, options: { retries: 0, minDelayMs: 1, maxDelayMs: 2 }, secrets: ['s3cret-value-xyz'] });
  clients.push(c);
  return c;
};
const failure = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e as HttpError);

describe('vendor error messages', () => {
  it.each([
    ['OData', { error: { code: '0x80060888', message: "Could not find a property named 'foo'." } }, "0x80060888: Could not find a property named 'foo'."],
    ['RFC 9457 problem', { type: 'https://reference.airbyte.com/reference/errors', title: 'bad-request', status: 400, detail: 'The updatedAtStart is not a date.' }, 'bad-request: The updatedAtStart is not a date.'],
    ['problem with a title only', { title: 'Forbidden', status: 403 }, 'Forbidden'],
    ['Databricks', { error_code: 'INVALID_PARAMETER_VALUE', message: 'limit must be at most 25' }, 'INVALID_PARAMETER_VALUE: limit must be at most 25'],
    ['OAuth 2.0', { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.' }, 'invalid_client: AADSTS7000215: Invalid client secret provided.'],
    ['a bare message', { message: 'no such thing' }, 'no such thing'],
  ])('reads the %s shape', (_name, body, expected) => {
    expect(extractVendorMessage(body)).toBe(expected);
  });

  it('reads nothing from a body that is not a JSON error document', () => {
    expect(vendorMessage('<html>Bad gateway</html>', [])).toBeNull();
    expect(vendorMessage('', [])).toBeNull();
    expect(vendorMessage('[1,2]', [])).toBeNull();
  });

  it('puts the OData message of a refused query in the error, redacted and on one line', async () => {
    script.push({ status: 400, body: JSON.stringify({ error: { code: '0x80060888', message: "Could not find a property named 'nosuchcolumn'.\nFORGED key=s3cret-value-xyz" } }) });
    const err = await failure(client().request({ url: `${base}/flowruns` }));
    expect(err).toBeInstanceOf(HttpError);
    expect(err!.message).toContain("answered HTTP 400; the platform said: 0x80060888: Could not find a property named 'nosuchcolumn'.");
    expect(err!.message).not.toContain('\n');
    expect(`${err!.message} ${err!.bodySnippet}`).not.toContain('s3cret-value-xyz');
  });

  it('redacts before it cuts: a secret across the cut is masked, not half shown', () => {
    const secret = 'ghp_' + 'A1b2C3d4E5'.repeat(4); // a GitHub token form the patterns know, with no configured value
    const body = JSON.stringify({ message: 'x'.repeat(280) + ` token ${secret}` });
    const said = vendorMessage(body, [])!;
    expect(said.length).toBeLessThanOrEqual(300);
    expect(said).not.toContain('ghp_A1b2');
    const snippet = bodySnippet('y'.repeat(480) + ' ' + secret, [], 500)!;
    expect(snippet).not.toContain('ghp_A1b2');
  });

  it('never ends a snippet or a message on half a surrogate pair', () => {
    const said = vendorMessage(JSON.stringify({ message: 'n'.repeat(299) + '😀 tail' }), [])!;
    expect(said.isWellFormed()).toBe(true);
    expect(bodySnippet('b'.repeat(499) + '😀😀', [], 500)!.isWellFormed()).toBe(true);
  });
});

describe('network failures', () => {
  it('names the cause chain of a refused connection (a closed port), not just "TypeError"', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const err = await failure(client().request({ url: `http://127.0.0.1:${port}/x` }));
    expect(err).toBeInstanceOf(HttpError);
    expect(err!.status).toBeNull();
    expect(err!.message).toMatch(/failed before a response \(fetch failed: .*ECONNREFUSED/);
    expect(err!.message).toContain(`127.0.0.1:${port}`);
  });

  it('follows causes and aggregated attempts, adds codes the message lacks, and redacts', () => {
    const inner = Object.assign(new Error('connect ECONNREFUSED ::1:443'), { code: 'ECONNREFUSED' });
    const tls = Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    const agg = new AggregateError([inner, tls], '');
    const e = new TypeError('fetch failed', { cause: agg });
    expect(causeChain(e)).toBe('fetch failed: AggregateError: connect ECONNREFUSED ::1:443: DEPTH_ZERO_SELF_SIGNED_CERT self-signed certificate');
    const leaky = new TypeError('fetch failed', { cause: new Error('proxy said password=s3cret-value-xyz') });
    expect(causeChain(leaky, ['s3cret-value-xyz'])).not.toContain('s3cret-value-xyz');
  });
});
