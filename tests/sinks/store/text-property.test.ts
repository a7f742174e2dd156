// Property: whatever text a vendor sends, every run of a batch is either stored (reading back equal, up to the
// well-formed transformation: lone surrogates and NUL become U+FFFD) or quarantined; a batch is never lost whole.
// Both stores: a DuckDB file, and the Snowflake store through the emulator with the real driver.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import snowflake from 'snowflake-sdk';
import type { Run } from '../../../normalize/schema.js';
import { startSnowflakeEmulator, type SnowflakeEmulator } from '../../../sim/snowflake/emulator.js';
import { openDuckDbStore } from '../../../sinks/store/duckdb.js';
import { openSnowflakeStore } from '../../../sinks/store/snowflake.js';
import type { Store } from '../../../sinks/store/types.js';
import { makeRun } from '../../helpers/run-fixtures.js';

const wf = (s: string) => (s as string & { toWellFormed(): string }).toWellFormed().replaceAll('\u0000', '\uFFFD');
const wfn = (s: string | null) => (s === null ? null : wf(s));
const deep = (v: unknown): unknown =>
  typeof v === 'string' ? wf(v) : Array.isArray(v) ? v.map(deep) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, deep(x)])) : v;

// Code units and code points from every plane, with the troublemakers over-represented.
const unit = fc.oneof(
  fc.constantFrom('\ud800', '\udbff', '\udc00', '\udfff', '\u0000', '\uffff', '\ufffe', '\u{10ffff}', '\u{1F600}', '\u{E0001}', '\u202e', '\u009b', '\n', "'", '"', '\\'),
  fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
  fc.integer({ min: 0, max: 0x10ffff }).map((c) => String.fromCodePoint(c)),
);
const text = fc.string({ unit, maxLength: 40 });

/** Runs as the cycle hands them over: schema-bounded fields cut by UTF-16 unit (which can split a pair), raw unbounded. */
function runsFrom(scope: string, texts: readonly (readonly [string, string, string])[]): Run[] {
  return texts.map(([name, message, id], i) =>
    makeRun({
      scope,
      runId: `r${i}-${id}`.slice(0, 1000),
      attemptGroup: `r${i}`,
      jobName: name.slice(0, 1000),
      errorMessage: message.slice(0, 4000),
      status: { category: 'failed', detail: message.slice(0, 200), raw: name.slice(0, 500) },
      raw: { name, message, nested: [id, { [`k${i}`]: message }] },
    }),
  );
}

async function checkBatch(store: Store, scope: string, runs: readonly Run[]): Promise<void> {
  const res = await store.upsertRuns(runs);
  const back = await store.readRuns({ scope });
  const expected = new Map<string, Run>();
  for (const r of runs) expected.set(wf(r.runId), r); // later duplicates (after the transformation) win or tie
  expect(res.inserted + res.quarantined).toBe(expected.size);
  expect(back).toHaveLength(res.inserted);
  for (const b of back) {
    const r = expected.get(b.runId);
    expect(r).toBeDefined();
    expect({ jobName: b.jobName, errorMessage: b.errorMessage, detail: b.status.detail, raw: b.raw }).toEqual({
      jobName: wfn(r!.jobName),
      errorMessage: wfn(r!.errorMessage),
      detail: wfn(r!.status.detail),
      raw: deep(r!.raw),
    });
  }
}

const batches = fc.array(fc.tuple(text, text, text), { minLength: 1, maxLength: 6 });

function describeTextProperty(name: string, open: () => Promise<Store>, numRuns: number): void {
  describe(`${name}: arbitrary text`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await open();
      await store.migrate();
    });
    afterAll(async () => {
      await store.close();
    });

    it('stores or quarantines every run of a batch, never losing the batch', async () => {
      let n = 0;
      await fc.assert(
        fc.asyncProperty(batches, async (texts) => {
          const scope = `p${n++}`;
          await checkBatch(store, scope, runsFrom(scope, texts));
        }),
        { numRuns },
      );
    });

    it('takes a 1 MB string with lone surrogates in the raw payload and cut pairs in the bounded fields', async () => {
      const big = `${'\u{1F600}x\ud800'.repeat(262_144)}`; // 1 MB of UTF-16 units
      const runs = [
        makeRun({ scope: 'big', runId: 'big', jobName: `${'n'.repeat(999)}\u{1F600}`.slice(0, 1000), errorMessage: '\u{1F600}'.repeat(2500).slice(0, 4000), raw: { big } }),
        makeRun({ scope: 'big', runId: 'small' }),
      ];
      await checkBatch(store, 'big', runs);
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), 'pa-text-'));
let emu: SnowflakeEmulator;
beforeAll(async () => {
  snowflake.configure({ logLevel: 'OFF', useEnvProxy: false }); // tests only: process-wide driver settings
  emu = await startSnowflakeEmulator({ users: { svc: 'pw' } });
});
afterAll(async () => {
  await emu.close();
  rmSync(dir, { recursive: true, force: true });
});

describeTextProperty('DuckDB', () => openDuckDbStore(join(dir, 'text.duckdb')), 50);
describeTextProperty('Snowflake (emulator)', () => openSnowflakeStore({ account: emu.account, username: 'svc', password: 'pw', accessUrl: emu.accessUrl, loginRetries: 0, database: 'DEV_POWERAPPS', schema: 'TEXT' }, { queryTag: 'pipeline-audit/test text' }), 30);
