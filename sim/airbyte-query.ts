// Request parsing, RFC 9457 problems and job selection of the fake Airbyte server (sim/airbyte.ts).
// Problem types and titles are those of tests/contracts/airbyte-api-problems.yaml.
import type { SimJob } from './airbyte-data.js';

export const DOCS = 'https://reference.airbyte.com/reference/errors';
export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly type: string,
    readonly detail: string,
    readonly data?: Record<string, unknown>,
  ) {
    super(detail);
  }
}
export const badRequest = (message: string) => new Problem(400, 'bad-request', `${DOCS}#bad-request`, 'The request could not be understood by the server due to malformed syntax.', { message });
export const forbidden = (message: string) => new Problem(403, 'forbidden', `${DOCS}#forbidden`, 'The request is forbidden.', { message });
export const notFound = (id: string, kind: string) => new Problem(404, 'resource-not-found', `${DOCS}#resource-not-found`, 'The requested resource could not be found.', { resourceType: kind, resourceId: id });
export const invalidKey = () => new Problem(401, 'invalid-api-key', `${DOCS}#invalid-api-key`, 'The API key in the Authorization header is invalid.');

export function intParam(q: URLSearchParams, name: string, dflt: number, min: number, max: number): number {
  const v = q.get(name);
  if (v === null || v === '') return dflt;
  const n = Number(v);
  if (!/^-?\d+$/.test(v) || n < min || n > max) throw badRequest(`${name} must be an integer between ${min} and ${max}, got ${v}`);
  return n;
}
/** OffsetDateTime.parse: an ISO instant with an offset; seconds optional, as Java prints them. */
function timeParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(v)) throw badRequest(`${name} is not a date-time: ${v}`);
  return Date.parse(v);
}
export const listParam = (q: URLSearchParams, name: string) => q.getAll(name).flatMap((v) => v.split(',')).map((s) => s.trim()).filter(Boolean);

/** First index in a list sorted descending by `key` whose key is ≤ t. */
function firstAtOrBelow(list: readonly SimJob[], key: 'updatedAt' | 'createdAt', t: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((list[mid] as SimJob)[key] <= t) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

type Field = 'updatedAt' | 'createdAt';

/**
 * One page of jobs from a list sorted descending by `field`: that field's time filters are binary searches, the
 * other filters (rare) a linear pass over the range; ASC order walks the range backwards.
 */
export function selectJobs(sorted: readonly SimJob[], field: Field, desc: boolean, q: URLSearchParams, offset: number, limit: number): SimJob[] {
  const bounds = { updatedAt: [timeParam(q, 'updatedAtStart'), timeParam(q, 'updatedAtEnd')], createdAt: [timeParam(q, 'createdAtStart'), timeParam(q, 'createdAtEnd')] };
  let list = sorted;
  const [start, end] = bounds[field];
  let lo = end === undefined ? 0 : firstAtOrBelow(list, field, end);
  let hi = start === undefined ? list.length : firstAtOrBelow(list, field, start - 1);
  const other: Field = field === 'updatedAt' ? 'createdAt' : 'updatedAt';
  const [oStart, oEnd] = bounds[other];
  const status = q.get('status');
  const jobType = q.get('jobType');
  const connectionId = q.get('connectionId');
  if (oStart !== undefined || oEnd !== undefined || status || jobType || connectionId) {
    list = list
      .slice(lo, hi)
      .filter(
        (j) =>
          (oStart === undefined || j[other] >= oStart) &&
          (oEnd === undefined || j[other] <= oEnd) &&
          (!status || j.status === status) &&
          (!jobType || j.jobType === jobType) &&
          (!connectionId || j.connectionId === connectionId),
      );
    lo = 0;
    hi = list.length;
  }
  const out: SimJob[] = [];
  for (let i = offset; i < offset + limit && lo + i < hi; i++) {
    const j = desc ? list[lo + i] : list[hi - 1 - i];
    if (j) out.push(j);
  }
  return out;
}
