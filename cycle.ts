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
  try {
    if (!dryRun || config.store.kind === 'snowflake' || (await fileExists(config.store.path))) {
      store = await openStore(config.store, { readOnly: dryRun, queryTag: `pipeline-audit/${TOOL_VERSION} cycle:${cycleId}`, ...(o.now ? { now: o.now } : {}) });
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

function fileExists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
