// Vendor items are parsed one by one at the boundary: an item that fails its schema becomes a warning naming it
// (code `invalid-item`, with its id) and is handed to the cycle's quarantine: never a crash of the cycle and
// never a silent drop; the others are kept.
import type { z } from 'zod';
import type { CollectContext } from './types.js';

export function parseItems<T>(ctx: Pick<CollectContext<unknown>, 'warn' | 'reject'>, schema: z.ZodType<T>, items: readonly unknown[], idKey: string, kind: string): T[] {
  const out: T[] = [];
  for (const item of items) {
    const r = schema.safeParse(item);
    if (r.success) {
      out.push(r.data);
      continue;
    }
    const rawId = item && typeof item === 'object' ? (item as Record<string, unknown>)[idKey] : undefined;
    const itemId = typeof rawId === 'number' || typeof rawId === 'string' ? String(rawId) : undefined;
    const issue = r.error.issues[0];
    const reason = `${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`;
    ctx.warn({ code: 'invalid-item', itemId, message: `set aside a ${kind} that does not match the expected shape: ${reason}` });
    ctx.reject?.({ itemId, kind, reason: `${kind} does not match the expected shape: ${reason}`, item });
  }
  return out;
}
