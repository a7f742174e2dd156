// Databricks workspace auth: a personal access token, or OAuth machine-to-machine (service principal client
// credentials). One TokenProvider per collect call: the cached OAuth token lives in that object, never in module
// state, so two workspaces (or two cycles) never share a token.
import { z } from 'zod';
import { CollectorError } from '../../errors.js';
import type { HttpClient } from '../../connect/http.js';
import { cachingTokenProvider, staticToken, type TokenProvider } from '../../connect/tokens.js';

export interface DatabricksAuthConfig {
  token?: string | undefined;
  clientId?: string | undefined;
  clientSecret?: string | undefined;
}

// RFC 6749 §5.1 token response; Databricks answers `expires_in` in seconds (one hour).
const TokenResponseSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().nullish(),
  expires_in: z.coerce.number().positive().nullish(),
});

/** Go's url.QueryEscape, which the SDK's oauth2 client applies to client id and secret before Basic encoding. */
const formEscape = (s: string) => new URLSearchParams({ v: s }).toString().slice(2);

/**
 * Returns the bearer token source for a workspace. For OAuth M2M it calls `{baseUrl}/oidc/v1/token` with
 * grant_type=client_credentials and scope=all-apis, the client id and secret as HTTP Basic (the SDK's
 * AuthStyleInHeader; databricks-sdk-go config/auth_m2m.go), and caches the token until shortly before expiry.
 * `invalidate()` (called by the HTTP layer on a 401) drops it so the next request fetches a new one.
 */
export function databricksTokenProvider(args: {
  auth: DatabricksAuthConfig;
  baseUrl: string;
  http: HttpClient;
  now: () => Date;
  scopeId: string;
}): TokenProvider {
  const { auth, baseUrl, http, now, scopeId } = args;
  if (auth.token) return staticToken(auth.token);
  const clientId = auth.clientId ?? '';
  const clientSecret = auth.clientSecret ?? '';
  return cachingTokenProvider(now, async (requestedAt) => {
    const basic = Buffer.from(`${formEscape(clientId)}:${formEscape(clientSecret)}`).toString('base64');
    // OAuth M2M token endpoint: https://docs.databricks.com/aws/en/dev-tools/auth/oauth-m2m
    const res = await http.request({
      method: 'POST',
      url: `${baseUrl}/oidc/v1/token`,
      headers: { authorization: `Basic ${basic}` },
      form: { grant_type: 'client_credentials', scope: 'all-apis' },
    });
    const parsed = TokenResponseSchema.safeParse(res.body);
    if (!parsed.success) {
      throw new CollectorError('databricks', scopeId, `The OAuth token endpoint ${baseUrl}/oidc/v1/token answered without an access_token; check DATABRICKS_HOST points at a workspace.`);
    }
    return { token: parsed.data.access_token, expiresAt: requestedAt + (parsed.data.expires_in ?? 3600) * 1000 };
  });
}
