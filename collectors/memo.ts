// A per-scope, per-cycle memo: what a collector builds once per scope (its token provider, its session) and
// reuses across the chunks of a catch-up, so a cycle asks the token endpoint once per scope instead of once per
// chunk. The cycle owns it (one per scope per cycle); collectors keep no module state. Without one, nothing is
// reused: make() runs every time, which is still correct, only chattier.
import type { CollectContext, Memo } from './types.js';

export type { Memo };

/** The default when the cycle passes no memo: no caching. */
export const noMemo: Memo = (_key, make) => make();

/** A fresh memo: the cycle creates one per scope per cycle and passes it in every context of that scope. */
export function createMemo(): Memo {
  const values = new Map<string, unknown>();
  return <T>(key: string, make: () => T): T => {
    if (values.has(key)) return values.get(key) as T;
    const v = make();
    values.set(key, v);
    return v;
  };
}

/** The context's memo, or `noMemo`. */
export const memoOf = (ctx: Pick<CollectContext<unknown>, 'memo'>): Memo => ctx.memo ?? noMemo;
