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
  stats: { tokenRequests: number; tokensIssued: number; scopes: string[] };
  /** The next `times` token requests answer this status and body. */
  failNext(status: number, body: unknown, times?: number): void;
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
  const clientId = opts.clientId ?? 'pipeline-audit-demo-app';
  const clientSecret = opts.clientSecret ?? `sim-secret-${randomUUID()}`;
  const stats: EntraSimulator['stats'] = { tokenRequests: 0, tokensIssued: 0, scopes: [] };
  const faults: { status: number; body: unknown; left: number }[] = [];
  let base = '';

  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = new URL(req.url ?? '/', base).pathname;
      if (req.method === 'GET' && path === `/${tenantId}/v2.0/.well-known/openid-configuration`) {
        return send(res, 200, {
          issuer: `${base}/${tenantId}/v2.0`,
          authorization_endpoint: `${base}/${tenantId}/oauth2/v2.0/authorize`,
          token_endpoint: `${base}/${tenantId}/oauth2/v2.0/token`,
          jwks_uri: `${base}/${tenantId}/discovery/v2.0/keys`,
          response_types_supported: ['code'],
          subject_types_supported: ['pairwise'],
          id_token_signing_alg_values_supported: ['RS256'],
        });
      }
      if (req.method === 'POST' && path === `/${tenantId}/oauth2/v2.0/token`) {
        stats.tokenRequests++;
        const fault = faults[0];
        if (fault) {
          if (--fault.left <= 0) faults.shift();
          return send(res, fault.status, fault.body);
        }
        const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
        if (form.get('grant_type') !== 'client_credentials') return send(res, 400, { error: 'unsupported_grant_type', error_description: 'AADSTS70003: unsupported grant type' });
        if (form.get('client_id') !== clientId || form.get('client_secret') !== clientSecret) {
          return send(res, 401, {
            error: 'invalid_client',
            error_description: `AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
            error_codes: [7000215],
          });
        }
        stats.tokensIssued++;
        stats.scopes.push(form.get('scope') ?? '');
        return send(res, 200, { token_type: 'Bearer', expires_in: opts.expiresIn ?? 3599, ext_expires_in: opts.expiresIn ?? 3599, access_token: `sim-entra-${randomUUID()}` });
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
    failNext(status, body, times = 1) {
      faults.push({ status, body, left: times });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
