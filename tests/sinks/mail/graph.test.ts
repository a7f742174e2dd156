import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { startEntraSimulator, type EntraSimulator } from '../../../sim/entra.js';
import { startGraphSimulator, checkSendMail, type GraphSimulator } from '../../../sim/graph.js';
import { createGraphTransport, graphSendMailBody, type GraphOptions } from '../../../sinks/mail/graph.js';
import { DeliveryError, type MailMessage } from '../../../sinks/mail/types.js';

const SENDER = 'alerts@contoso.example';
const msg = (over: Partial<MailMessage> = {}): MailMessage => ({
  from: SENDER,
  to: ['oncall@contoso.example'],
  cc: ['lead@contoso.example'],
  subject: '[pipeline-audit] 1 critical, 1 new',
  html: '<p>&lt;img src=x&gt;</p>',
  text: 'plain',
  messageId: '<data-eng.cyc1.abc@pipeline-audit>',
  headers: { 'X-Pipeline-Audit-Cycle': 'cyc1' },
  ...over,
});

async function deliveryError(p: Promise<unknown>): Promise<DeliveryError> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(DeliveryError);
  return e as DeliveryError;
}

describe('Graph transport against the Entra and Graph fakes', () => {
  let entra: EntraSimulator;
  let graph: GraphSimulator;
  let opts: GraphOptions;
  const now = () => new Date('2026-03-29T04:15:00Z');
  beforeAll(async () => {
    entra = await startEntraSimulator();
    graph = await startGraphSimulator({ mailboxes: [SENDER] });
    opts = {
      tenantId: entra.tenantId,
      clientId: entra.clientId,
      clientSecret: entra.clientSecret,
      sender: SENDER,
      baseUrl: graph.baseUrl,
      authorityHost: entra.authorityHost,
      authorityCaPem: entra.caPem,
      graphCaPem: graph.caPem,
      tokenRetries: 0,
      now,
    };
  });
  afterAll(async () => {
    await graph.close();
    await entra.close();
  });

  it('202: sends the documented body with an app-only token and returns the request-id', async () => {
    const t = createGraphTransport(opts);
    const r = await t.send(msg());
    await t.close();
    const got = graph.sent.at(-1)!;
    expect(r).toEqual({ accepted: true, id: got.requestId, response: `202 Accepted (request-id ${got.requestId})` });
    expect(got.sender).toBe(SENDER);
    expect(got.body).toEqual({
      message: {
        subject: '[pipeline-audit] 1 critical, 1 new',
        body: { contentType: 'HTML', content: '<p>&lt;img src=x&gt;</p>' },
        toRecipients: [{ emailAddress: { address: 'oncall@contoso.example' } }],
        ccRecipients: [{ emailAddress: { address: 'lead@contoso.example' } }],
        internetMessageId: '<data-eng.cyc1.abc@pipeline-audit>',
        internetMessageHeaders: [{ name: 'X-Pipeline-Audit-Cycle', value: 'cyc1' }],
      },
      saveToSentItems: false,
    });
    expect(got.clientRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(entra.stats.scopes).toContain('https://graph.microsoft.com/.default');
  });

  it('leaves internetMessageHeaders out when there are none (Graph refuses an empty list)', () => {
    const body = graphSendMailBody(msg({ headers: {} }), true) as { message: Record<string, unknown>; saveToSentItems: boolean };
    expect('internetMessageHeaders' in body.message).toBe(false);
    expect(body.saveToSentItems).toBe(true);
    expect(checkSendMail(body)).toBeNull();
  });

  it('401: not retryable, names the Mail.Send application permission', async () => {
    const t = createGraphTransport(opts);
    graph.script(401, { code: 'NoPermissionsInAccessToken', message: 'The token contains no permissions, or permissions can not be understood.' });
    const e = await deliveryError(t.send(msg()));
    await t.close();
    expect(e).toMatchObject({ retryable: false, status: 401, code: 'NoPermissionsInAccessToken', transport: 'graph' });
    expect(e.message).toContain('Mail.Send application permission');
  });

  it('403: not retryable, points at the permission and the mailbox access policy', async () => {
    const t = createGraphTransport(opts);
    graph.script(403, { code: 'ErrorAccessDenied', message: 'Access is denied. Check credentials and try again.' });
    const e = await deliveryError(t.send(msg()));
    await t.close();
    expect(e).toMatchObject({ retryable: false, status: 403, code: 'ErrorAccessDenied' });
    expect(e.message).toContain('application access policy');
    expect(e.message).toContain(SENDER);
  });

  it('429: retryable with Retry-After surfaced', async () => {
    const t = createGraphTransport(opts);
    graph.script(429, { code: 'ApplicationThrottled', retryAfter: '17' });
    const e = await deliveryError(t.send(msg()));
    await t.close();
    expect(e).toMatchObject({ retryable: true, status: 429, retryAfterMs: 17_000 });
    expect(e.message).toContain('Retry-After: 17 s');
  });

  it('5xx: retryable', async () => {
    const t = createGraphTransport(opts);
    graph.script(500, { code: 'generalException' });
    graph.script(503, { code: 'ServiceUnavailable' });
    const e1 = await deliveryError(t.send(msg()));
    const e2 = await deliveryError(t.send(msg()));
    await t.close();
    expect([e1.status, e1.retryable, e2.status, e2.retryable]).toEqual([500, true, 503, true]);
  });

  it('an unknown sender is 404 and permanent; a bad token is refused by the fake', async () => {
    const t = createGraphTransport({ ...opts, sender: 'nobody@contoso.example' });
    const e = await deliveryError(t.send(msg()));
    await t.close();
    expect(e).toMatchObject({ status: 404, code: 'ErrorInvalidUser', retryable: false });
    const forged = createGraphTransport({ ...opts, credential: { getToken: async () => ({ token: 'forged', expiresOnTimestamp: 0 }) } });
    const e401 = await deliveryError(forged.send(msg()));
    await forged.close();
    expect(e401).toMatchObject({ status: 401, code: 'InvalidAuthenticationToken' });
  });

  it('a wrong client secret is a permanent token error that never shows the secret', async () => {
    const t = createGraphTransport({ ...opts, clientSecret: 'definitely-wrong-secret' });
    const e = await deliveryError(t.send(msg()));
    await t.close();
    expect(e.retryable).toBe(false);
    expect(e.message).toContain('check the client id, the secret');
    expect(e.message).not.toContain('definitely-wrong-secret');
    expect(e.message).not.toContain(entra.clientSecret);
    expect(e.cause).toBeDefined();
  });

  it('an untrusted Graph certificate is a permanent error', async () => {
    const t = createGraphTransport({ ...opts, graphCaPem: entra.caPem });
    const e = await deliveryError(t.send(msg()));
    await t.close();
    expect(e.retryable).toBe(false);
    expect(e.message).toContain('not trusted');
  });

  it('refuses headers Graph would refuse and a Message-ID without angle brackets, before calling', async () => {
    const before = graph.requests.length;
    const t = createGraphTransport(opts);
    expect((await deliveryError(t.send(msg({ headers: { 'Reply-To': 'x' } })))).retryable).toBe(false);
    expect((await deliveryError(t.send(msg({ messageId: 'abc@x' })))).retryable).toBe(false);
    await t.close();
    expect(graph.requests.length).toBe(before);
  });

  it('verify(): token and sender; without User.Read.All the sender check is skipped, not failed', async () => {
    const t = createGraphTransport(opts);
    const v = await t.verify!();
    await t.close();
    expect(v.ok).toBe(true);
    expect(v.checks.map((c) => [c.name, c.ok])).toEqual([['graph token', true], ['graph sender', true]]);
    const noRead = await startGraphSimulator({ mailboxes: [SENDER], userReadAll: false });
    try {
      const t2 = createGraphTransport({ ...opts, baseUrl: noRead.baseUrl, graphCaPem: noRead.caPem });
      const v2 = await t2.verify!();
      await t2.close();
      expect(v2.ok).toBe(true);
      expect(v2.checks[1]).toMatchObject({ ok: null });
      expect(v2.checks[1]!.detail).toContain('User.Read.All');
    } finally {
      await noRead.close();
    }
    const missing = createGraphTransport({ ...opts, sender: 'ghost@contoso.example' });
    const v3 = await missing.verify!();
    await missing.close();
    expect(v3.ok).toBe(false);
  });
});

describe('Graph fake: body rules', () => {
  const ok = () => graphSendMailBody(msg(), false) as { message: Record<string, unknown> };
  it('rejects what Graph rejects', () => {
    expect(checkSendMail(ok())).toBeNull();
    const noTo = ok();
    delete noTo.message.toRecipients;
    expect(checkSendMail(noTo)?.code).toBe('ErrorInvalidRecipients');
    const badType = ok();
    badType.message.body = { contentType: 'markdown', content: 'x' };
    expect(checkSendMail(badType)?.code).toBe('RequestBodyRead');
    const badHeader = ok();
    badHeader.message.internetMessageHeaders = [{ name: 'Reply-To', value: 'x' }];
    expect(checkSendMail(badHeader)?.code).toBe('InvalidInternetMessageHeader');
    const emptyHeaders = ok();
    emptyHeaders.message.internetMessageHeaders = [];
    expect(checkSendMail(emptyHeaders)?.code).toBe('InvalidInternetMessageHeaderCollection');
    expect(checkSendMail({})?.code).toBe('ErrorInvalidRequest');
  });
});
