// A local spool for the Snowflake store, on hosts that keep their disk: normalized runs that a transient warehouse
// failure could not take are appended here (JSON lines, flushed to disk, size-capped) and replayed, through the same
// deduplicated MERGE, before the next batch. It matters where a vendor keeps history for less time than an outage
// may last (Snowflake task history: 7 days); elsewhere the vendors' own history is the retry buffer.
import { mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { StoreError } from '../../errors.js';
import { RunSchema, type Run } from '../../normalize/schema.js';

const DATE_FIELDS = new Set(['scheduledAt', 'startedAt', 'endedAt', 'updatedAt', 'firstSeenAt', 'lastSeenAt']);

export class Spool {
  readonly file: string;
  constructor(
    readonly dir: string,
    private readonly capBytes = 256 * 1024 * 1024,
  ) {
    this.file = join(dir, 'pipeline-audit-spool.jsonl');
  }

  async size(): Promise<number> {
    return stat(this.file).then(
      (s) => s.size,
      () => 0,
    );
  }

  /** Appends runs and flushes them to disk; refuses, saying so, once the cap would be passed. */
  async append(runs: readonly Run[]): Promise<void> {
    if (runs.length === 0) return;
    const text = runs.map((r) => JSON.stringify(r)).join('\n') + '\n';
    const size = await this.size();
    if (size + Buffer.byteLength(text) > this.capBytes) {
      throw new StoreError(`the local spool ${this.file} is full (${size} bytes, cap ${this.capBytes}): the rows of this batch were not spooled; the vendors' history still holds them until it expires`);
    }
    await mkdir(this.dir, { recursive: true });
    const handle = await open(this.file, 'a');
    try {
      await handle.write(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  /** Every spooled run that still parses; a line that does not (a torn write) is counted, not fatal. */
  async read(): Promise<{ runs: Run[]; unreadable: number }> {
    const text = await readFile(this.file, 'utf8').catch(() => '');
    const runs: Run[] = [];
    let unreadable = 0;
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        const parsed = RunSchema.safeParse(JSON.parse(line, (k, v: unknown) => (DATE_FIELDS.has(k) && typeof v === 'string' ? new Date(v) : v)));
        if (parsed.success) runs.push(parsed.data);
        else unreadable++;
      } catch {
        unreadable++;
      }
    }
    return { runs, unreadable };
  }

  async clear(): Promise<void> {
    await rm(this.file, { force: true });
  }
}
