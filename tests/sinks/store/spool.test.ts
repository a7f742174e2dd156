import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { StoreError } from '../../../errors.js';
import { Spool } from '../../../sinks/store/spool.js';
import { HOSTILE, makeRun } from '../../helpers/run-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'pa-spool-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('local spool', () => {
  it('appends, reads back every field (dates included), and clears', async () => {
    const spool = new Spool(join(dir, 'a'));
    const runs = [makeRun({ runId: 'x', jobName: HOSTILE, updatedAt: new Date('2026-11-23T12:00:00.000Z') }), makeRun({ runId: 'y' })];
    await spool.append(runs.slice(0, 1));
    await spool.append(runs.slice(1));
    expect((await spool.read()).runs).toEqual(runs);
    await spool.clear();
    expect(await spool.read()).toEqual({ runs: [], unreadable: 0 });
  });

  it('refuses past its cap, saying so, and keeps what it had', async () => {
    const spool = new Spool(join(dir, 'b'), 3000);
    await spool.append([makeRun({ runId: 'kept' })]);
    await expect(spool.append(Array.from({ length: 10 }, (_, i) => makeRun({ runId: `r${i}` })))).rejects.toThrow(StoreError);
    expect((await spool.read()).runs.map((r) => r.runId)).toEqual(['kept']);
  });

  it('counts a torn line instead of failing on it', async () => {
    const spool = new Spool(join(dir, 'c'));
    await spool.append([makeRun({ runId: 'ok' })]);
    appendFileSync(spool.file, '{"runId": "torn", "platf');
    expect(await spool.read()).toMatchObject({ unreadable: 1, runs: [expect.objectContaining({ runId: 'ok' })] });
  });
});
