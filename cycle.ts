// One whole cycle as the CLI and the scheduled job run it: open the configured store (the embedded default is
// created and migrated on first use; Snowflake is migrated only by `init`), run the cycle, close the store.
// `runAudit` is the cycle itself, for callers that bring their own store.
import { randomUUID } from 'node:crypto';
import { access } from 'node:fs/promises';
import { runAudit, type AuditDeps } from './audit.js';
import { LeaseError } from './errors.js';
import type { AuditConfig } from './config/load.js';
import { TOOL_VERSION } from './normalize/schema.js';
import { openStore } from './sinks/store/open.js';
import type { Store } from './sinks/store/types.js';
import type { AuditReport } from './summarize/report.js';

export type RunCycleOptions = Omit<AuditDeps, 'store' | 'storeError'>;

export async function runCycle(config: AuditConfig, o: RunCycleOptions = {}): Promise<AuditReport> {
  const dryRun = o.dryRun ?? false;
  let store: Store | null = null;
  let storeError: unknown;
  // The cycle id is made here so that the store's query tag can name it (warehouse cost per cycle).
  const cycleId = (o.newId ?? randomUUID)();
  const deadline = storeDeadline((o.now ?? (() => new Date()))(), config.cycleTimeoutMs);
  try {
    if (!dryRun || config.store.kind === 'snowflake' || (await fileExists(config.store.path))) {
      store = await openStore(config.store, { readOnly: dryRun, queryTag: `pipeline-audit/${TOOL_VERSION} cycle:${cycleId}`, deadline, ...(o.now ? { now: o.now } : {}) });
      if (store.kind === 'duckdb' && !dryRun) await store.migrate();
    }
  } catch (e) {
    // DuckDB allows one writing process per file: a second CLI run on the same file stops here, before collecting,
    // with the lease's exit code (4), not as a store failure after a whole collection.
    if (config.store.kind === 'duckdb' && /could not set lock|conflicting lock/i.test(String((e as { message?: unknown }).message ?? e))) {
      throw new LeaseError(`another pipeline-audit process on ${config.store.path}`, null, { cause: e });
    }
    storeError = e;
  }
  try {
    return await runAudit(config, { ...o, store, storeError, newId: () => cycleId });
  } finally {
    await store?.close();
  }
}

/**
 * The last moment a store statement may run: the cycle's time limit, plus a short wrap-up (half the limit, at most
 * 30 s) so that a cycle whose collection used all of its time can still write its cycle row and release its lease.
 * A store that does not answer then fails the cycle instead of holding it through the driver's retries; the lease
 * (renewed every 30 s, lapsing 2 minutes after the last renewal) outlives it.
 */
export function storeDeadline(start: Date, cycleTimeoutMs: number): Date {
  return new Date(start.getTime() + cycleTimeoutMs + Math.min(STORE_WRAP_UP_MS, cycleTimeoutMs / 2));
}
export const STORE_WRAP_UP_MS = 30_000;

function fileExists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
