// Failure reasons of Airbyte jobs. The public API has none; the internal config API (flagged unsupported, seen
// used on self-managed) has them per attempt in JobInfoRead.attempts[].attempt.failureSummary.failures[]. Only
// failureOrigin, failureType and externalMessage are kept (normalize/airbyte.ts AirbyteFailureSchema):
// internalMessage and stacktrace carry connection strings.
import { HttpError } from '../../errors.js';
import { AirbyteJobInfoSchema, lastAttemptFailure, type AirbyteFailure, type AirbyteJob } from '../../normalize/airbyte.js';
import type { AirbyteScope } from './scope.js';
import type { AirbyteSession } from './pages.js';
import type { CollectContext } from '../types.js';

const DETAIL_STATUSES = new Set(['failed', 'incomplete']);

export interface FailureReader {
  /** Failure reasons of this page's failed and incomplete jobs, by jobId. */
  read(jobs: readonly AirbyteJob[]): Promise<Map<string, AirbyteFailure>>;
  /** Says once what the detail cap left out (call when the listing is done). */
  finish(): void;
}

/**
 * Failure reasons of failed and incomplete jobs from the config API (POST /api/v1/jobs/get_without_logs, or
 * /jobs/get on servers without it), page by page, bounded by maxDetailRequests for the whole collection. A refusal
 * is not a blind spot: the runs are stored without a reason, one `detail-failed` warning says why, and no further
 * detail is asked this collection.
 */
export function failureReader(ctx: CollectContext<AirbyteScope>, s: AirbyteSession): FailureReader {
  const base = ctx.scope.configApiUrl?.replace(/\/+$/, '');
  let used = 0;
  let skipped = 0;
  let refused = false;
  let endpoint: 'get_without_logs' | 'get' = 'get_without_logs';
  const post = async (jobId: string) => {
    used++;
    // POST /api/v1/jobs/get_without_logs (config API, internal): tests/contracts/airbyte-config-api.openapi.yaml
    return ctx.http.request({ method: 'POST', url: `${base}/v1/jobs/${endpoint}`, json: { id: Number(jobId) }, auth: s.auth });
  };
  return {
    async read(jobs) {
      const out = new Map<string, AirbyteFailure>();
      if (!base || refused) return out;
      const wanted = jobs.filter((j) => DETAIL_STATUSES.has(j.status));
      for (const [i, job] of wanted.entries()) {
        if (used >= ctx.limits.maxDetailRequests) {
          skipped += wanted.length - i;
          break;
        }
        try {
          let res;
          try {
            res = await post(job.jobId);
          } catch (e) {
            // Older servers have no get_without_logs: fall back to jobs/get (which also returns logs) for the rest.
            if (!(e instanceof HttpError && e.status === 404 && endpoint === 'get_without_logs')) throw e;
            endpoint = 'get';
            res = await post(job.jobId);
          }
          const info = AirbyteJobInfoSchema.safeParse(res.body);
          if (!info.success) throw new Error(`the answer is not a JobInfoRead (${info.error.issues[0]?.path.join('.') ?? ''}: ${info.error.issues[0]?.message ?? 'invalid'})`);
          const failure = lastAttemptFailure(info.data);
          if (failure) out.set(job.jobId, failure);
        } catch (e) {
          if (ctx.signal.aborted) throw e;
          refused = true;
          ctx.warn({
            code: 'detail-failed',
            itemId: job.jobId,
            message: `failure reasons are not available from the config API ${base} (${e instanceof Error ? e.message : String(e)}); runs are stored without them. Check configApiUrl (e.g. http://host:8000/api) or unset it.`,
          });
          break;
        }
      }
      return out;
    },
    finish() {
      if (skipped > 0) ctx.warn({ code: 'detail-cap', message: `failure reasons of ${skipped} jobs were not read (detail request cap ${ctx.limits.maxDetailRequests} reached)` });
    },
  };
}
