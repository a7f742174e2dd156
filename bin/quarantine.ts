// `quarantine list|retry`: the items a cycle set aside instead of dropping (issue 8, finding 2). `list` reads;
// `retry` writes, so it takes the store's write lease as a cycle does: a retry never interleaves with a cycle.
import { randomUUID } from 'node:crypto';
import { LEASE_TTL_MS } from '../audit.js';
import { LeaseError } from '../errors.js';
import { truncate } from '../normalize/text.js';
import { retryQuarantine, type QuarantineRetryResult } from '../quarantine.js';
import type { QuarantineItem } from '../sinks/store/types.js';
import { EXIT } from './cli-text.js';
import { esc, formatWhen } from './oncall-format.js';
import { withStore } from './oncall-store.js';
import type { CommonOptions, Emit } from './run.js';

/** The list as text (pure). The payload is not printed: it is vendor data, in --json only. */
export function renderQuarantine(items: readonly QuarantineItem[]): string {
  if (items.length === 0) return 'The quarantine is empty.';
  const out = [`${items.length} quarantined item(s), oldest first:`];
  for (const q of items) {
    out.push(`  ${formatWhen(q.at, null)}  ${esc(q.platform)} ${esc(q.scope)}  item ${esc(q.itemId)}`, `      ${esc(truncate(q.reason, 300))}`);
  }
  out.push('', 'After an upgrade: pipeline-audit quarantine retry');
  return out.join('\n');
}

export async function quarantineListCommand(o: CommonOptions & { limit: number | undefined }, emit: Emit): Promise<number> {
  const items = await withStore(o, false, 'quarantine list', (store) => store.readQuarantine({ limit: o.limit ?? 100 }));
  emit(renderQuarantine(items), { items });
  return EXIT.OK;
}

/** `run --platform P --since ISO`: the command that re-reads a scope's span from its vendor. */
export function rereadCommand(r: QuarantineRetryResult['reread'][number]): string {
  return `pipeline-audit run --platform ${r.platform} --since ${r.since.toISOString()}`;
}

export function renderRetry(r: QuarantineRetryResult): string {
  const out = [`stored ${r.stored} item(s) that now pass validation`];
  if (r.stillInvalid.length) {
    out.push(`still invalid (kept in the quarantine): ${r.stillInvalid.length}`);
    for (const s of r.stillInvalid) out.push(`  ${esc(s.item.platform)} ${esc(s.item.scope)} item ${esc(s.item.itemId)}: ${esc(truncate(s.reason, 300))}`);
  }
  if (r.reread.length) {
    out.push(`vendor items to re-read from the vendor (they stay quarantined until a cycle stores them):`);
    for (const s of r.reread) out.push(`  ${esc(s.platform)} ${esc(s.scope)}: ${s.items} item(s) since ${formatWhen(s.since, null)}`, `    ${esc(rereadCommand(s))}`);
  }
  return out.join('\n');
}

export async function quarantineRetryCommand(o: CommonOptions & { limit: number | undefined }, emit: Emit): Promise<number> {
  const result = await withStore(o, true, 'quarantine retry', async (store, ctx) => {
    const cycleId = randomUUID();
    if (!(await store.acquireLease(cycleId, LEASE_TTL_MS, ctx.now))) {
      const holder = (await store.readLease?.()) ?? null;
      throw new LeaseError(holder?.holder ?? 'another cycle', holder?.expiresAt ?? null);
    }
    try {
      return await retryQuarantine(store, { now: ctx.now, cycleId, ...(o.limit !== undefined ? { limit: o.limit } : {}) });
    } finally {
      await store.releaseLease(cycleId);
    }
  });
  emit(renderRetry(result), { ...result, reread: result.reread.map((r) => ({ ...r, command: rereadCommand(r) })) });
  return EXIT.OK;
}
