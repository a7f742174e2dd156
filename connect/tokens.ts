// Bearer tokens for the HTTP layer: static ones (PATs, API keys) and cached ones from a token endpoint.

/** A bearer token source. `invalidate` drops a cached token after a 401 so the next `getToken` fetches anew. */
export interface TokenProvider {
  getToken(signal: AbortSignal): Promise<string>;
  invalidate(): void;
}

/** Refresh this long before a token's stated expiry (never more than half its life, for short-lived tokens). */
const REFRESH_MARGIN_MS = 60_000;

/** A token that cannot be refreshed (a PAT, an API key): after a 401 the HTTP layer resends once, then reports it. */
export function staticToken(token: string): TokenProvider {
  return { getToken: async () => token, invalidate: () => {} };
}

/**
 * A TokenProvider over a token endpoint: `fetchToken` gets a token and when it expires (ms since epoch, counted from
 * before the request: the token's life began no earlier than that). The token is cached until shortly before that
 * moment, callers in flight at once share one request, and `invalidate()` (the HTTP layer calls it on a 401) drops
 * it. One provider per collect call: tokens never live in module state.
 */
export function cachingTokenProvider(now: () => Date, fetchToken: (requestedAt: number) => Promise<{ token: string; expiresAt: number }>): TokenProvider {
  let cached: { token: string; refreshAt: number } | null = null;
  let inflight: Promise<string> | null = null;
  return {
    async getToken() {
      const t = now().getTime();
      if (cached && t < cached.refreshAt) return cached.token;
      inflight ??= fetchToken(t)
        .then(({ token, expiresAt }) => {
          const life = Math.max(0, expiresAt - t);
          cached = { token, refreshAt: expiresAt - Math.min(REFRESH_MARGIN_MS, life / 2) };
          return token;
        })
        .finally(() => {
          inflight = null;
        });
      return inflight;
    },
    invalidate() {
      cached = null;
    },
  };
}
