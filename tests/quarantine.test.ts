// The quarantine's retry: what the current schema accepts is stored and released, the rest stays, and vendor items
// are named for a re-read. Against the real DuckDB store.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { parsePayload, retryQuarantine } from '../quarantine.js';
import { openDuckDbStore } from '../sinks/store/duckdb.js';
import { at, makeRun } from './helpers/run-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'pa-quarantine-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('quarantine retry', () => {
  it('stores what now validates, keeps what does not, names vendor items for a re-read', async () => {
    const store = await openDuckDbStore(join(dir, 'q.duckdb'));
    try {
      await store.migrate();
      const { schemaVersion: _v, firstSeenAt: _f, lastSeenAt: _l, cycleId: _c, ...observation } = makeRun({ runId: 'ok-now' });
      const base = { platform: 'databricks', scope: 'ws-1', cycleId: 'c0', at: at(0) };
      await store.quarantineItems([
        { ...base, itemId: 'ok-now', reason: 'refused by an older schema', payload: JSON.stringify({ stage: 'observation', item: observation }) },
        { ...base, itemId: 'still-bad', reason: 'durationMs: too small', payload: JSON.stringify({ stage: 'observation', item: { ...observation, runId: 'still-bad', durationMs: -5 } }) },
        { ...base, itemId: '77', reason: 'run does not match', payload: JSON.stringify({ stage: 'vendor', item: { run_id: 77 } }), at: at(-30) },
        { ...base, itemId: 'cut', reason: 'x', payload: '{"stage":"observation","item":{…[payload truncated]' },
      ]);
      const r = await retryQuarantine(store, { now: at(60), cycleId: 'retry-1' });
      expect(r.stored).toBe(1);
      expect((await store.readRuns()).map((x) => x.runId)).toEqual(['ok-now']);
      expect(r.stillInvalid.map((s) => s.item.itemId).sort()).toEqual(['cut', 'still-bad']);
      expect(r.reread).toEqual([{ platform: 'databricks', scope: 'ws-1', since: at(-30), items: 1 }]);
      expect((await store.readQuarantine()).map((q) => q.itemId).sort()).toEqual(['77', 'cut', 'still-bad']);
    } finally {
      await store.close();
    }
  });

  it('reads the payload shapes: the cycle’s {stage, item} and a run as the store wrote it', () => {
    expect(parsePayload('{"stage":"vendor","item":{"a":1}}')).toEqual({ stage: 'vendor', item: { a: 1 } });
    expect(parsePayload('{"runId":"r","startedAt":"2026-11-23T12:00:00.000Z"}')).toEqual({ stage: 'store', item: { runId: 'r', startedAt: new Date('2026-11-23T12:00:00.000Z') } });
    expect(parsePayload('{not json')).toBeNull();
  });
});
