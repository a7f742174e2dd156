// A CollectContext for collector tests: real HTTP client (fast retries), captured warnings and incompleteness.
import { createHttpClient, type FetchLike, type HttpOptions } from '../../connect/http.js';
import type { CollectContext, CollectWarning, CollectLimits } from '../../collectors/types.js';
import type { Platform } from '../../normalize/schema.js';

export interface TestContext<S> {
  ctx: CollectContext<S>;
  warnings: CollectWarning[];
  incomplete: string[];
  close(): Promise<void>;
}

export function testContext<S>(
  platform: Platform,
  scope: S,
  scopeId: string,
  opts: { http?: HttpOptions; limits?: Partial<CollectLimits>; now?: () => Date; fetch?: FetchLike; signal?: AbortSignal } = {},
): TestContext<S> {
  const controller = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, controller.signal]) : controller.signal;
  const http = createHttpClient({
    signal,
    options: { retries: 3, minDelayMs: 5, maxDelayMs: 20, retryAfterCapMs: 2_000, requestTimeoutMs: 5_000, headersTimeoutMs: 5_000, bodyTimeoutMs: 5_000, ...opts.http },
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
  });
  const warnings: CollectWarning[] = [];
  const incomplete: string[] = [];
  const ctx: CollectContext<S> = {
    platform,
    scope,
    scopeId,
    http,
    signal,
    now: opts.now ?? (() => new Date()),
    limits: { maxPages: 1000, maxDetailRequests: 100, ...opts.limits },
    warn: (w) => warnings.push(w),
    incomplete: (r) => incomplete.push(r),
  };
  return {
    ctx,
    warnings,
    incomplete,
    async close() {
      controller.abort();
      await http.close();
    },
  };
}
