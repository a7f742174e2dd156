// The table definitions both stores render: a run survives row conversion in either column-name case, identifiers
// are validated before they reach SQL text, and values no warehouse can hold are refused (the store quarantines).
import { describe, expect, it } from '@jest/globals';
import { ident, jobToRow, jsonText, JOB_COLUMNS, rowToJob, rowToRun, RUN_COLUMNS, runToRow } from '../../../sinks/store/tables.js';
import { HOSTILE, makeJob, makeRun } from '../../helpers/run-fixtures.js';

const asObject = (columns: readonly (readonly [string, string])[], cells: readonly unknown[], upper = false) =>
  Object.fromEntries(columns.map(([name], i) => [upper ? name.toUpperCase() : name, cells[i] ?? null]));

describe('table rows', () => {
  it('round-trips a run, hostile text and the raw extract included, in lower and upper case columns', () => {
    const run = makeRun({ jobName: HOSTILE, errorMessage: HOSTILE, raw: { nested: { a: [1, 'two'] } } });
    const cells = runToRow(run);
    expect(cells).toHaveLength(RUN_COLUMNS.length);
    expect(rowToRun(asObject(RUN_COLUMNS, cells))).toEqual(run);
    expect(rowToRun(asObject(RUN_COLUMNS, cells, true))).toEqual(run);
  });

  it('round-trips a job', () => {
    const job = makeJob({ tags: { team: 'finance' } });
    expect(rowToJob(asObject(JOB_COLUMNS, jobToRow(job)))).toEqual(job);
  });

  it('refuses times outside what a warehouse holds and values JSON cannot hold', () => {
    expect(() => runToRow(makeRun({ startedAt: new Date('0001-01-01T00:00:00Z') }))).toThrow(/1900-9999/);
    expect(() => jsonText({ big: 1n })).toThrow();
  });

  it('lets only plain identifiers into SQL text', () => {
    expect(ident('AUDIT_JOB_HUB')).toBe('AUDIT_JOB_HUB');
    for (const bad of ['runs; DROP TABLE x', '"quoted"', '1abc', 'a b', '']) expect(() => ident(bad)).toThrow(/invalid SQL identifier/);
  });
});
