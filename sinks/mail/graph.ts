// The Outlook transport: Microsoft Graph `POST /users/{sender}/sendMail`, app-only. The token comes from
// @azure/identity's ClientSecretCredential (loaded on first use) for `https://graph.microsoft.com/.default`; the
// call goes through undici. Docs: https://learn.microsoft.com/graph/api/user-sendmail (202 Accepted, empty body:
// queued, not delivered, and no message id in the answer, so the `request-id` header is the id we keep).
//
// Graph sends one body: the HTML. Exchange derives the text alternative itself; our text part is not sent here.
//
// Mail.Send (application) lets an app send as ANY mailbox in the tenant. Limit it to the sender mailbox with an
// Exchange application access policy (New-ApplicationAccessPolicy -AccessRight RestrictAccess -AppId <client id>
// -PolicyScopeGroupId <mail-enabled group holding the sender>) or, its successor, RBAC for Applications
// (New-ManagementRoleAssignment -App <sp> -Role "Application Mail.Send" -CustomResourceScope <scope>).
// A sender outside that scope then gets 403 ErrorAccessDenied, which this transport explains.
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'undici';
import { z } from 'zod';
import { parseRetryAfter } from '../../connect/http.js';
import { DeliveryError, isValidMessageId, scrub, type MailMessage, type MailTransport, type SendResult, type VerifyResult } from './types.js';

export const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';
export const GRAPH_BASE_URL = 'https://graph.microsoft.com/v1.0';

/** The subset of @azure/core-auth's TokenCredential used here, so any credential (e.g. workload identity) fits. */
export interface TokenCredentialLike {
  getToken(scopes: string | string[]): Promise<{ token: string; expiresOnTimestamp: number } | null>;
}

export interface GraphOptions {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** The sender mailbox: UPN (`alerts@contoso.com`) or object id. */
  sender: string;
  /** Graph root including the version; tests point it at a local fake. */
  baseUrl?: string;
  /** Entra authority, e.g. a local fake; instance discovery is then turned off (test-peers.md §2.1). */
  authorityHost?: string;
  /** Extra CA (PEM) trusted for the authority only, for a fake with a self-signed certificate. */
  authorityCaPem?: string;
  /**
   * Extra CA (PEM) trusted for Graph only. Separate from the authority's: two self-signed `CN=localhost`
   * certificates in one trust list make OpenSSL pick one by subject and fail the other.
   */
  graphCaPem?: string;
  /** Use this credential instead of building a ClientSecretCredential. */
  credential?: TokenCredentialLike;
  /** Keep a copy in the sender's Sent Items. Default false: the ledger is the record. */
  saveToSentItems?: boolean;
  /** Per-request deadline for Graph calls. Default 30 s. */
  timeoutMs?: number;
  /** Retries inside the identity pipeline for token requests (5xx/429). Default 3. */
  tokenRetries?: number;
  now?: () => Date;
  /** `client-request-id` for each call (a GUID); default randomUUID. */
  newRequestId?: () => string;
}

const GraphErrorBody = z.object({ error: z.object({ code: z.string().nullish(), message: z.string().nullish() }).nullish() });

// internetMessageId: Graph's message resource says "The message ID in the format specified by RFC2822"
// (https://learn.microsoft.com/graph/api/resources/message#properties), i.e. `<left@right>` with the angle brackets.
// Graph documents no length limit; we keep to 250 characters (isValidMessageId), well inside RFC 5322's 998-char line.
// internetMessageHeaders: only names starting with `x-`/`X-` are accepted (400 InvalidInternetMessageHeader), at most
// 5 of them, and an empty array is also refused, so the property is left out when there are none (user-sendmail
// docs, example 2; limits as reported in msgraph-sdk-dotnet#2208).
export const GRAPH_MAX_HEADERS = 5;

export function graphSendMailBody(msg: MailMessage, saveToSentItems: boolean): unknown {
  const to = (a: string) => ({ emailAddress: { address: a } });
  const headers = Object.entries(msg.headers ?? {});
  return {
    message: {
      subject: msg.subject,
      body: { contentType: 'HTML', content: msg.html },
      toRecipients: msg.to.map(to),
      ccRecipients: msg.cc.map(to),
      internetMessageId: msg.messageId,
      ...(headers.length ? { internetMessageHeaders: headers.map(([name, value]) => ({ name, value })) } : {}),
    },
    saveToSentItems,
  };
}

export function createGraphTransport(opts: GraphOptions): MailTransport {
  const base = (opts.baseUrl ?? GRAPH_BASE_URL).replace(/\/+$/, '');
  const timeout = opts.timeoutMs ?? 30_000;
  const now = opts.now ?? (() => new Date());
  const newId = opts.newRequestId ?? randomUUID;
  const secrets = [opts.clientSecret];
  const agent = new Agent({ connectTimeout: 10_000, headersTimeout: timeout, bodyTimeout: timeout, connections: 2, ...(opts.graphCaPem ? { connect: { ca: opts.graphCaPem } } : {}) });
  let credential: TokenCredentialLike | null = opts.credential ?? null;
  const userPath = `${base}/users/${encodeURIComponent(opts.sender)}`;

  const fail = (message: string, retryable: boolean, extra: { status?: number | null; code?: string | null; retryAfterMs?: number | null } = {}, cause?: unknown) =>
    new DeliveryError(scrub(message, secrets), { transport: 'graph', retryable, ...extra }, cause === undefined ? {} : { cause });

  const token = async (): Promise<string> => {
    if (!credential) {
      const { ClientSecretCredential } = await import('@azure/identity');
      credential = new ClientSecretCredential(opts.tenantId, opts.clientId, opts.clientSecret, {
        ...(opts.authorityHost ? { authorityHost: opts.authorityHost, disableInstanceDiscovery: true } : {}),
        ...(opts.authorityCaPem ? { tlsOptions: { ca: opts.authorityCaPem } } : {}),
        retryOptions: { maxRetries: opts.tokenRetries ?? 3 },
      });
    }
    try {
      const t = await credential.getToken(GRAPH_SCOPE);
      if (!t) throw new Error('the credential returned no token');
      return t.token;
    } catch (e) {
      // A refused client (400/401 from Entra) needs a config fix; an unreachable authority may pass.
      const status = (e as { cause?: { status?: number }; statusCode?: number }).cause?.status ?? (e as { statusCode?: number }).statusCode ?? null;
      const refused = (e as Error).name === 'AuthenticationRequiredError' || (status !== null && status >= 400 && status < 500 && status !== 429);
      throw fail(
          `Could not get a Microsoft Graph token for client ${opts.clientId} in tenant ${opts.tenantId}${refused ? ': check the client id, the secret (its value, not its id) and the tenant' : ''}: ${(e as Error).message.slice(0, 400)}`,
          !refused,
          { status, code: (e as Error).name },
          e,
        );
    }
  };

  const call = async (method: 'GET' | 'POST', url: string, body?: unknown) => {
    const bearer = await token();
    const clientRequestId = newId();
    try {
      const res = await request(url, {
        method,
        dispatcher: agent,
        signal: AbortSignal.timeout(timeout),
        headers: {
          authorization: `Bearer ${bearer}`,
          'client-request-id': clientRequestId,
          'return-client-request-id': 'true',
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.body.text();
      const header = (n: string) => {
        const v = res.headers[n];
        return Array.isArray(v) ? (v[0] ?? null) : (v ?? null);
      };
      let parsed: z.infer<typeof GraphErrorBody> = {};
      try {
        const r = GraphErrorBody.safeParse(text ? JSON.parse(text) : {});
        if (r.success) parsed = r.data;
      } catch {
        // not JSON (a proxy's HTML page): the status still classifies it
      }
      return { status: res.statusCode, requestId: header('request-id') ?? header('client-request-id') ?? clientRequestId, retryAfter: header('retry-after'), code: parsed.error?.code ?? null, message: parsed.error?.message ?? text.slice(0, 200) };
    } catch (e) {
      const code = (e as { code?: string }).code ?? (e as Error).name;
      // A certificate Node does not trust needs a config change, not another try.
      if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ALTNAME/.test(code)) throw fail(`Microsoft Graph at ${base} presented a certificate that is not trusted (${code}).`, false, { code }, e);
      throw fail(`Microsoft Graph ${method} ${url} did not answer (${code}); it will be retried next cycle.`, true, { code }, e);
    }
  };

  /** Why Graph said no, in terms of what to change. */
  const explain = (status: number, code: string | null, message: string, action: string): DeliveryError => {
    const what = `Microsoft Graph refused to ${action} as ${opts.sender} (${status}${code ? ` ${code}` : ''}: ${message.slice(0, 300)})`;
    if (status === 401) return fail(`${what}. The token was not accepted: grant the app the Mail.Send application permission (not delegated) with admin consent, and check the tenant.`, false, { status, code });
    if (status === 403) {
      return fail(`${what}. Grant the Mail.Send application permission with admin consent, and make sure the Exchange application access policy or RBAC for Applications scope includes the mailbox ${opts.sender}.`, false, { status, code });
    }
    if (status === 404) return fail(`${what}. The sender mailbox does not exist or has no Exchange Online mailbox.`, false, { status, code });
    if (status === 429 || status >= 500) {
      return fail(`${what}. A temporary condition; it will be retried next cycle.`, true, { status, code });
    }
    return fail(`${what}. The request was not accepted as sent; it will not be retried.`, false, { status, code });
  };

  return {
    kind: 'graph',
    async send(msg: MailMessage): Promise<SendResult> {
      if (!isValidMessageId(msg.messageId)) throw fail(`Message-ID ${JSON.stringify(msg.messageId.slice(0, 80))} is not of the form <left@right>.`, false);
      const names = Object.keys(msg.headers ?? {});
      if (names.length > GRAPH_MAX_HEADERS || names.some((n) => !/^x-/i.test(n))) throw fail(`Graph accepts at most ${GRAPH_MAX_HEADERS} custom headers, all named X-…; got ${names.join(', ')}.`, false);
      const r = await call('POST', `${userPath}/sendMail`, graphSendMailBody(msg, opts.saveToSentItems ?? false));
      if (r.status === 202) return { accepted: true, id: r.requestId, response: `202 Accepted (request-id ${r.requestId})` };
      const err = explain(r.status, r.code, r.message, 'send mail');
      if (r.status === 429 || r.status === 503) {
        const retryAfterMs = parseRetryAfter(r.retryAfter, now().getTime());
        if (retryAfterMs !== null) {
          return Promise.reject(new DeliveryError(`${err.message} Retry-After: ${Math.ceil(retryAfterMs / 1000)} s.`, { transport: 'graph', retryable: true, status: r.status, code: r.code, retryAfterMs }));
        }
      }
      throw err;
    },
    /** Token, then `GET /users/{sender}` (needs User.Read.All application; without it the sender check is skipped, not failed). */
    async verify(): Promise<VerifyResult> {
      const checks: VerifyResult['checks'] = [];
      try {
        await token();
        checks.push({ name: 'graph token', ok: true, detail: `token for ${GRAPH_SCOPE} issued to client ${opts.clientId}` });
      } catch (e) {
        checks.push({ name: 'graph token', ok: false, detail: (e as Error).message });
        return { ok: false, checks };
      }
      try {
        const r = await call('GET', `${userPath}?$select=id,mail,userPrincipalName`);
        if (r.status === 200) checks.push({ name: 'graph sender', ok: true, detail: `${opts.sender} exists` });
        else if (r.status === 403 || r.status === 401)
          checks.push({ name: 'graph sender', ok: null, detail: `cannot look up ${opts.sender}: that needs User.Read.All (application), which sending does not (the first send will tell)` });
        else checks.push({ name: 'graph sender', ok: false, detail: explain(r.status, r.code, r.message, 'look up the sender').message });
      } catch (e) {
        checks.push({ name: 'graph sender', ok: false, detail: (e as Error).message });
      }
      return { ok: checks.every((c) => c.ok !== false), checks };
    },
    async close() {
      await agent.close();
    },
  };
}
