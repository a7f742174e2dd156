// The quarantine: items the cycle set aside instead of dropping (`pipeline-audit quarantine list|retry`). After an
// upgrade, `retry` runs each item through the current run schema again and stores those that now pass. Where an
// item was refused decides what a retry can do:
// - `observation` (the run schema refused a normalized run) and runs the store refused: validated again and stored;
// - `vendor` (a collector's schema refused the vendor's item as received): the normalizers need the scope's live
//   context, so these are re-read from the vendor instead: `retry` names the span to re-read with `run --since`.
import { SCHEMA_VERSION, RunSchema, type Run } from './normalize/schema.js';
import { wellFormedDeep } from './normalize/text.js';
import type { QuarantineItem, Store } from './sinks/store/types.js';

export interface QuarantineRetryResult {
  stored: number;
  stillInvalid: { item: QuarantineItem; reason: string }[];
  /** Vendor items: re-read these scopes from the vendor, from the earliest time given (`run --since`). */
  reread: { platform: string; scope: string; since: Date; items: number }[];
}

const DATE_FIELDS = new Set(['scheduledAt', 'startedAt', 'endedAt', 'updatedAt', 'firstSeenAt', 'lastSeenAt']);

/** Parses a quarantined payload: `{stage, item}` (the cycle's) or a run as the store wrote it. */
export function parsePayload(payload: string): { stage: 'vendor' | 'observation' | 'store'; item: unknown } | null {
  let v: unknown;
  try {
    v = JSON.parse(payload, (k, x: unknown) => (DATE_FIELDS.has(k) && typeof x === 'string' ? new Date(x) : x));
  } catch {
    return null;
  }
  if (v && typeof v === 'object' && 'stage' in v && 'item' in v) {
    const stage = (v as { stage: unknown }).stage;
    if (stage === 'vendor' || stage === 'observation') return { stage, item: (v as { item: unknown }).item };
  }
  return { stage: 'store', item: v };
}

export async function retryQuarantine(store: Store, o: { now: Date; cycleId: string; limit?: number }): Promise<QuarantineRetryResult> {
  const items = await store.readQuarantine({ limit: o.limit ?? 10_000 });
  const result: QuarantineRetryResult = { stored: 0, stillInvalid: [], reread: [] };
  const runs: Run[] = [];
  const released: QuarantineItem[] = [];
  const reread = new Map<string, { platform: string; scope: string; since: Date; items: number }>();
  for (const q of items) {
    const p = parsePayload(q.payload);
    if (!p) {
      result.stillInvalid.push({ item: q, reason: 'the payload is not readable JSON (truncated?)' });
      continue;
    }
    if (p.stage === 'vendor') {
      const key = `${q.platform}\u0000${q.scope}`;
      const r = reread.get(key) ?? { platform: q.platform, scope: q.scope, since: q.at, items: 0 };
      if (q.at < r.since) r.since = q.at;
      r.items++;
      reread.set(key, r);
      continue;
    }
    const obj = wellFormedDeep((p.item ?? {}) as Record<string, unknown>);
    const parsed = RunSchema.safeParse({ ...obj, schemaVersion: SCHEMA_VERSION, firstSeenAt: obj.firstSeenAt ?? o.now, lastSeenAt: o.now, cycleId: o.cycleId });
    if (!parsed.success) {
      result.stillInvalid.push({ item: q, reason: parsed.error.issues.map((i) => `${i.path.join('.') || '(item)'}: ${i.message}`).join('; ') });
      continue;
    }
    runs.push(parsed.data);
    released.push(q);
  }
  if (runs.length > 0) {
    const r = await store.upsertRuns(runs);
    result.stored = r.inserted + r.updated + r.unchanged;
    // A run the store refuses again is quarantined again by the store itself: release the old entries either way.
    await store.releaseQuarantine(released);
  }
  result.reread = [...reread.values()].sort((a, b) => (a.platform + a.scope < b.platform + b.scope ? -1 : 1));
  return result;
}
