// One incident as a neutral line, before HTML or text: every untrusted field already bounded, made visible and
// defanged; links only from the incident's own runUrl/jobUrl and only if they are plain http(s) URLs.
import type { PlannedNotice } from '../../normalize/incident.js';
import { safeHttpUrl, untrusted } from './escape.js';
import type { SectionId } from './types.js';
import { formatWhen } from './time.js';

export interface DigestLine {
  severity: 'critical' | 'warning';
  platform: string;
  /** Scope and job, e.g. `prod-ws / nightly_load`; the scope alone for scope-level incidents. */
  subject: string;
  when: string;
  /** `failed 5 times in a row`, `reminder`, `changed`, ... (fixed vocabulary plus numbers). */
  tags: string[];
  errorClass: string;
  error: string;
  detail: string;
  runUrl: string | null;
  jobUrl: string | null;
}

export interface LineLimits {
  /** Characters of error text; 0 drops it. */
  error: number;
  /** Characters of the deterministic detail line. */
  detail: number;
}

export const NAME_MAX = 160;

export function toLine(n: PlannedNotice, section: SectionId, timeZone: string | null, limits: LineLimits): DigestLine {
  const i = n.incident;
  const job = i.jobName ?? i.jobId;
  const scope = untrusted(i.scope, NAME_MAX);
  const subject = i.jobId === '' && !i.jobName ? scope || '(whole platform)' : `${scope ? `${scope} / ` : ''}${untrusted(job, NAME_MAX) || '(unnamed job)'}`;
  const at = section === 'recovered' ? (i.resolvedAt ?? i.updatedAt) : (i.lastRunAt ?? i.updatedAt);
  const tags: string[] = [];
  if (section === 'recovered') tags.push('recovered');
  if (n.reason === 'reminder') tags.push('reminder');
  if (n.reason === 'changed') tags.push('changed');
  if (section === 'still_failing' || (i.kind === 'failed' && i.streak > 1 && section !== 'recovered')) {
    tags.push(`${i.streak} in a row`);
  }
  if (section === 'missed_or_late' || section === 'blind_spots') tags.push(i.kind.replace(/_/g, ' '));
  return {
    severity: i.severity,
    platform: i.platform,
    subject,
    when: formatWhen(at, timeZone),
    tags,
    errorClass: untrusted(i.errorClass, 60),
    error: untrusted(i.errorText, limits.error),
    detail: untrusted(i.detail, limits.detail),
    runUrl: safeHttpUrl(i.runUrl),
    jobUrl: safeHttpUrl(i.jobUrl),
  };
}
