// A fake Entra ID authority for tests and the demo: https on 127.0.0.1 with a self-signed certificate made at
// start (no key is stored anywhere), serving the two requests MSAL makes for client credentials
// (test-peers.md §2): the OpenID configuration, whose issuer must share the authority's scheme, host and port,
// and the token endpoint.
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';

export interface EntraSimOptions {
  tenantId?: string;
  clientId?: string;
  clientSecret?: string;
  /** Token lifetime; MSAL renews tokens with under ~5 minutes left, so keep it well above 300. */
  expiresIn?: number;
}

export interface EntraSimulator {
  authorityHost: string;
  caPem: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  stats: { openidRequests: number; tokenRequests: number; tokensIssued: number; scopes: string[] };
  /** The next `times` token requests answer this status, body and headers (e.g. 503 with Retry-After). */
  failNext(status: number, body: unknown, times?: number, headers?: Record<string, string>): void;
  close(): Promise<void>;
}

export async function startEntraSimulator(opts: EntraSimOptions = {}): Promise<EntraSimulator> {
  const { generate } = await import('selfsigned');
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] }],
  });
  const tenantId = opts.tenantId ?? '00000000-0000-4000-8000-00000000e1d1';
  const clientId = opts.clientId ?? '00000000-0000-4000-8000-0000000000a1';
  const clientSecret = opts.clientSecret ?? `sim-secret-${randomUUID()}`;
  const stats: EntraSimulator['stats'] = { openidRequests: 0, tokenRequests: 0, tokensIssued: 0, scopes: [] };
  const faults: { status: number; body: unknown; headers: Record<string, string>; left: number }[] = [];
  let base = '';

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(body));
  };
  // Entra's answers for a tenant or client it does not know, a scope that is not `<resource>/.default`, and a
  // wrong secret (AADSTS codes as Entra documents them; the wording is abridged).
  const tokenRefusal = (form: URLSearchParams, tenant: string): { status: number; body: unknown } | null => {
    if (tenant !== tenantId) return { status: 400, body: { error: 'invalid_request', error_description: `AADSTS90002: Tenant '${tenant}' not found.`, error_codes: [90002] } };
    if (form.get('grant_type') !== 'client_credentials') return { status: 400, body: { error: 'unsupported_grant_type', error_description: 'AADSTS70003: The app requested an unsupported grant type.', error_codes: [70003] } };
    if (form.get('client_id') !== clientId) {
      return { status: 400, body: { error: 'unauthorized_client', error_description: `AADSTS700016: Application with identifier '${form.get('client_id') ?? ''}' was not found in the directory '${tenant}'.`, error_codes: [700016] } };
    }
    if (form.get('client_secret') !== clientSecret) {
      return {
        status: 401,
        body: {
          error: 'invalid_client',
          error_description: `AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
          error_codes: [7000215],
        },
      };
    }
    if (!/^\S+\/\.default$/.test(form.get('scope') ?? '')) return { status: 400, body: { error: 'invalid_scope', error_description: 'AADSTS1002012: The provided value for scope is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier.', error_codes: [1002012] } };
    return null;
  };
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = new URL(req.url ?? '/', base).pathname;
      const openid = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(path);
      if (req.method === 'GET' && openid) {
        stats.openidRequests++;
        const tenant = openid[1]!;
        if (tenant !== tenantId) return send(res, 400, { error: 'invalid_tenant', error_description: `AADSTS90002: Tenant '${tenant}' not found.`, error_codes: [90002] });
        // MSAL checks that the issuer has the authority's scheme, host and port (test-peers.md §2.1).
        return send(res, 200, {
          issuer: `${base}/${tenantId}/v2.0`,
          authorization_endpoint: `${base}/${tenantId}/oauth2/v2.0/authorize`,
          token_endpoint: `${base}/${tenantId}/oauth2/v2.0/token`,
          jwks_uri: `${base}/${tenantId}/discovery/v2.0/keys`,
          response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
          subject_types_supported: ['pairwise'],
          id_token_signing_alg_values_supported: ['RS256'],
          tenant_region_scope: 'EU',
        });
      }
      const token = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(path);
      if (req.method === 'POST' && token) {
        stats.tokenRequests++;
        const fault = faults[0];
        if (fault) {
          if (--fault.left <= 0) faults.shift();
          return send(res, fault.status, fault.body, fault.headers);
        }
        const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
        const refusal = tokenRefusal(form, token[1]!);
        if (refusal) return send(res, refusal.status, refusal.body);
        stats.tokensIssued++;
        stats.scopes.push(form.get('scope') ?? '');
        const life = opts.expiresIn ?? 3599;
        return send(res, 200, { token_type: 'Bearer', expires_in: life, ext_expires_in: life, access_token: `sim-entra-${randomUUID()}` });
      }
      send(res, 404, { error: 'not_found' });
    });
  };
  const server: Server = createServer({ key: pems.private, cert: pems.cert }, handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `https://localhost:${(server.address() as AddressInfo).port}`;
  return {
    authorityHost: base,
    caPem: pems.cert,
    tenantId,
    clientId,
    clientSecret,
    stats,
    failNext(status, body, times = 1, headers = {}) {
      faults.push({ status, body, headers, left: times });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
