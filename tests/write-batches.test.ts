// The per-scope write path: runs leave in batches of at most the size given, one batch written while the next
// fills, a full batch waits (and so does whoever adds to it) until the one before is written, and a failed write
// stops everything after it. Pure: writes are promises the test resolves, no store, no clock.
import { describe, expect, it } from '@jest/globals';
import { runBatcher } from '../write-batches.js';
import type { Run } from '../normalize/schema.js';
import type { QuarantineItem } from '../sinks/store/types.js';

const runs = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ({ runId: String(from + i) }) as Run);
const item = (id: string) => ({ itemId: id }) as QuarantineItem;

/** A write that stays pending until the test releases it. */
function gatedWrites() {
  const batches: { runs: string[]; items: string[]; release: () => void; fail: (e: Error) => void }[] = [];
  const write = (r: Run[], q: QuarantineItem[]) =>
    new Promise<void>((resolve, reject) => {
      batches.push({ runs: r.map((x) => x.runId), items: q.map((x) => x.itemId), release: resolve, fail: reject });
    });
  return { batches, write };
}

const settled = async (p: Promise<unknown>) => {
  let done = false;
  void p.then(
    () => (done = true),
    () => (done = true),
  );
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
  return done;
};

describe('runBatcher', () => {
  it('cuts a page larger than the batch into batches of at most the size, in order', async () => {
    const sizes: number[] = [];
    const seen: string[] = [];
    const b = runBatcher(async (r) => {
      sizes.push(r.length);
      seen.push(...r.map((x) => x.runId));
    }, 4);
    await b.add(runs(11), []);
    await b.add(runs(2, 11), []);
    await b.flush();
    expect(sizes).toEqual([4, 4, 4, 1]);
    expect(seen).toEqual(runs(13).map((r) => r.runId));
  });

  it('counts set-aside items in the batch and sends them with the runs', async () => {
    const got: { runs: number; items: string[] }[] = [];
    const b = runBatcher(async (r, q) => {
      got.push({ runs: r.length, items: q.map((x) => x.itemId) });
    }, 3);
    await b.add(runs(2), [item('a'), item('b')]);
    await b.add([], [item('c')]);
    await b.flush();
    expect(got.every((g) => g.runs + g.items.length <= 3)).toBe(true);
    expect(got.flatMap((g) => g.items)).toEqual(['a', 'b', 'c']);
    expect(got.reduce((n, g) => n + g.runs, 0)).toBe(2);
  });

  it('holds the caller back while a full batch waits for the one being written: one written, one filling', async () => {
    const w = gatedWrites();
    const b = runBatcher(w.write, 2);
    await b.add(runs(2), []); // batch 1 goes out at once
    expect(w.batches).toHaveLength(1);
    await b.add(runs(1, 2), []); // filling, not full: returns
    const third = b.add(runs(1, 3), []); // batch 2 is full but batch 1 is still being written
    expect(await settled(third)).toBe(false);
    const fourth = b.add(runs(1, 4), []); // queued behind the third caller, holding its one page
    expect(await settled(fourth)).toBe(false);
    expect(w.batches).toHaveLength(1);
    w.batches[0]!.release();
    expect(await settled(third)).toBe(true);
    expect(await settled(fourth)).toBe(true);
    expect(w.batches.map((x) => x.runs)).toEqual([['0', '1'], ['2', '3']]);
    const flushed = b.flush();
    expect(await settled(flushed)).toBe(false); // batch 2 still being written
    w.batches[1]!.release();
    await settled(flushed);
    w.batches[2]!.release();
    await flushed;
    expect(w.batches.map((x) => x.runs)).toEqual([['0', '1'], ['2', '3'], ['4']]);
  });

  it('after a failed write, adds and flushes reject with its error and nothing more is written', async () => {
    const w = gatedWrites();
    const b = runBatcher(w.write, 2);
    await b.add(runs(2), []);
    const waiting = b.add(runs(2, 2), []);
    w.batches[0]!.fail(new Error('warehouse unavailable'));
    await expect(waiting).rejects.toThrow('warehouse unavailable');
    await expect(b.add(runs(1, 9), [])).rejects.toThrow('warehouse unavailable');
    await expect(b.flush()).rejects.toThrow('warehouse unavailable');
    expect(() => b.check()).toThrow('warehouse unavailable');
    await b.idle();
    expect(w.batches).toHaveLength(1);
  });
});
