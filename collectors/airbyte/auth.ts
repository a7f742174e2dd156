// Airbyte auth: a static API key, or an Application's client credentials exchanged for a short-lived token.
// One TokenProvider per collect call: the cached token lives in that object, never in module state.
// Quirk (airbyte-api-python-sdk#118): Cloud has issued tokens whose JWT `exp` came minutes before `expires_in`
// said, so the expiry is the earlier of the two and the token is refreshed a minute early.
import { z } from 'zod';
import { CollectorError } from '../../errors.js';
import type { HttpClient } from '../../connect/http.js';
import { cachingTokenProvider, staticToken, type TokenProvider } from '../../connect/tokens.js';

export interface AirbyteAuthConfig {
  apiKey?: string | undefined;
  clientId?: string | undefined;
  clientSecret?: string | undefined;
}

// PublicAccessTokenResponse in tests/contracts/airbyte-public-api.openapi.yaml.
const TokenResponseSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().nullish(),
  expires_in: z.coerce.number().positive().nullish(),
});

const DEFAULT_TTL_S = 180; // the shortest lifetime Cloud has been seen to issue

/** The `exp` claim (ms since epoch) of a JWT, or null when the token is not a JWT. The signature is not checked. */
export function jwtExpiry(token: string): number | null {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[1]) return null;
  try {
    const claims: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    const exp = claims && typeof claims === 'object' ? (claims as { exp?: unknown }).exp : undefined;
    return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : null;
  } catch {
    return null;
  }
}

/**
 * Returns the bearer token source of one Airbyte scope. With client credentials it calls
 * `POST {baseUrl}/applications/token` (no auth header; JSON body carrying the grant both as `grant_type`, which the
 * spec requires, and `grant-type`, which the spec's property list spells), caches the token until a minute before
 * it expires, and `invalidate()` (called by the HTTP layer on a 401) drops it. A static key cannot be refreshed:
 * invalidate is a no-op and a second 401 is final.
 */
export function airbyteTokenProvider(args: {
  auth: AirbyteAuthConfig;
  baseUrl: string;
  http: HttpClient;
  now: () => Date;
  scopeId: string;
}): TokenProvider {
  const { auth, baseUrl, http, now, scopeId } = args;
  if (auth.apiKey) return staticToken(auth.apiKey);
  const clientId = auth.clientId ?? '';
  const clientSecret = auth.clientSecret ?? '';
  return cachingTokenProvider(now, async (requestedAt) => {
    // POST /applications/token: https://reference.airbyte.com/reference/createaccesstoken
    const res = await http.request({
      method: 'POST',
      url: `${baseUrl}/applications/token`,
      json: { client_id: clientId, client_secret: clientSecret, grant_type: 'client_credentials', 'grant-type': 'client_credentials' },
    });
    const parsed = TokenResponseSchema.safeParse(res.body);
    if (!parsed.success) {
      throw new CollectorError('airbyte', scopeId, `The token endpoint ${baseUrl}/applications/token answered without an access_token; check the Airbyte API URL (self-managed: <host>/api/public/v1).`);
    }
    const token = parsed.data.access_token;
    // Cloud has issued tokens whose JWT `exp` comes before `expires_in` says: the earlier of the two wins.
    const byExpiresIn = requestedAt + (parsed.data.expires_in ?? DEFAULT_TTL_S) * 1000;
    const byJwt = jwtExpiry(token);
    return { token, expiresAt: byJwt === null ? byExpiresIn : Math.min(byJwt, byExpiresIn) };
  });
}
