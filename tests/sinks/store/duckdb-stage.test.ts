// The appender staging of the DuckDB store: typed values, nulls and any text arrive as they were; a value the
// table cannot hold is a StageValueError (a data error the store bisects out); the event loop is served between slices.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { appendRows, StageValueError } from '../../../sinks/store/duckdb-stage.js';
import type { Column } from '../../../sinks/store/tables.js';

const duck = await import('@duckdb/node-api');
let instance: DuckDBInstance;
let conn: DuckDBConnection;
beforeAll(async () => {
  instance = await duck.DuckDBInstance.create(':memory:');
  conn = await instance.connect();
  await conn.run("SET TimeZone = 'UTC'");
});
afterAll(() => {
  conn.closeSync();
  instance.closeSync();
});

const COLUMNS: readonly Column[] = [
  ['id', 'id'],
  ['note', 'text'],
  ['n', 'int'],
  ['ok', 'bool'],
  ['seen_at', 'timestamp'],
];

async function fresh(name: string): Promise<void> {
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${name} (id VARCHAR, note VARCHAR, n BIGINT, ok BOOLEAN, seen_at TIMESTAMPTZ)`);
}

async function read(name: string) {
  return (await conn.runAndReadAll(`SELECT id, note, n, ok, epoch_ms(seen_at) AS ms FROM ${name} ORDER BY id`)).getRowObjectsJS();
}

describe('appendRows', () => {
  it('keeps text as it is (NUL, emoji, quotes, newlines), nulls, 64-bit integers, booleans and times', async () => {
    await fresh('t_values');
    const at = new Date('2026-11-24T10:00:00.123Z');
    await appendRows(duck, conn, 't_values', COLUMNS, [
      ['a', 'nul\u0000inside', 9_007_199_254_740_991, true, at],
      ['b', 'émoji 😀 "quoted"\nline', -5, false, new Date(Date.UTC(1900, 0, 1))],
      ['c', null, null, null, null],
      ['d', '', 0, true, at],
    ]);
    expect(await read('t_values')).toEqual([
      { id: 'a', note: 'nul\u0000inside', n: 9_007_199_254_740_991n, ok: true, ms: BigInt(at.getTime()) },
      { id: 'b', note: 'émoji 😀 "quoted"\nline', n: -5n, ok: false, ms: BigInt(Date.UTC(1900, 0, 1)) },
      { id: 'c', note: null, n: null, ok: null, ms: null },
      { id: 'd', note: '', n: 0n, ok: true, ms: BigInt(at.getTime()) },
    ]);
  });

  it('appends only the picked cells of each row, in the table order', async () => {
    await fresh('t_pick');
    await appendRows(duck, conn, 't_pick', COLUMNS, [[null, 'x', 'id-1', 7, false, null]], { pick: [2, 1, 3, 4, 5] });
    expect(await read('t_pick')).toEqual([{ id: 'id-1', note: 'x', n: 7n, ok: false, ms: null }]);
  });

  it.each([
    ['an integer beyond 64 bits', [['x', null, 1e40, null, null]], /Conversion Error: column n: 1e\+40 is not a BIGINT/],
    ['a fraction in an integer column', [['x', null, 1.5, null, null]], /column n: 1\.5 is not a BIGINT/],
    ['an invalid date', [['x', null, null, null, new Date(NaN)]], /column seen_at: .* is not a TIMESTAMPTZ/],
    ['a number in a text column', [['x', 3, null, null, null]], /column note: 3 is not a VARCHAR/],
  ])('refuses %s with a StageValueError shaped like DuckDB’s own', async (_what, rows, message) => {
    await fresh('t_bad');
    const err = await appendRows(duck, conn, 't_bad', COLUMNS, rows as never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StageValueError);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).toMatch(/^Conversion Error: /);
  });

  it('refuses loudly, and not as a data error, a table whose columns are not the ones written', async () => {
    await conn.run('CREATE OR REPLACE TEMP TABLE t_wide (id VARCHAR, note VARCHAR, n BIGINT, ok BOOLEAN, seen_at TIMESTAMPTZ, extra VARCHAR)');
    const err = await appendRows(duck, conn, 't_wide', COLUMNS, [['x', null, null, null, null]]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(StageValueError);
    expect((err as Error).message).toMatch(/t_wide has 6 columns, the store writes 5/);
  });

  it('hands the event loop back between slices of a large batch', async () => {
    await fresh('t_slices');
    const rows = Array.from({ length: 5000 }, (_, i) => [`r${i}`, 'x', i, true, null]);
    let servedMeanwhile = false;
    setImmediate(() => (servedMeanwhile = true));
    // Staging is synchronous between its yields, and its end resumes this test as a microtask: the callback queued
    // above has run by then only if staging handed the loop back on the way.
    await appendRows(duck, conn, 't_slices', COLUMNS, rows);
    expect(servedMeanwhile).toBe(true);
    expect((await conn.runAndReadAll('SELECT count(*) FROM t_slices')).getRowsJS()).toEqual([[5000n]]);
  });
});
