// The real snowflake-sdk against the local emulator: the protocol pieces the store relies on.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import snowflake from 'snowflake-sdk';
import { startSnowflakeEmulator, type SnowflakeEmulator } from '../../sim/snowflake/emulator.js';
import { openSnowflake, type SnowflakeSession } from '../../connect/snowflake.js';
import { SnowflakeError } from '../../errors.js';

let emu: SnowflakeEmulator;
let s: SnowflakeSession;
const settings = () => ({ account: emu.account, username: 'svc', password: 'pw', accessUrl: emu.accessUrl, loginRetries: 0 });

beforeAll(async () => {
  snowflake.configure({ logLevel: 'OFF', useEnvProxy: false }); // tests only: process-wide driver settings
  emu = await startSnowflakeEmulator({ users: { svc: 'pw' } });
  s = await openSnowflake(settings(), { queryTag: 'pipeline-audit/test emulator' });
});
afterAll(async () => {
  await s.close();
  await emu.close();
});

describe('Snowflake emulator with the real driver', () => {
  it('runs DDL, single and array binds, and returns typed rows with upper-case names', async () => {
    await s.query('CREATE SCHEMA IF NOT EXISTS DB1.SCH');
    await s.query('CREATE TABLE IF NOT EXISTS DB1.SCH.T (ID VARCHAR, N NUMBER(38,0), TS TIMESTAMP_TZ, OK BOOLEAN, DOC VARIANT)');
    await s.query('INSERT INTO DB1.SCH.T VALUES (?, ?, ?, ?, ?)', ['a', 1, '2026-11-23T12:00:00.123Z', true, '{"k":[1,2]}']);
    const rows = Array.from({ length: 3000 }, (_, i) => [`r${i}`, i, '2026-11-23T12:00:00.000Z', i % 2 === 0, null]);
    const ins = await s.query<Record<string, number>>('INSERT INTO DB1.SCH.T VALUES (?, ?, ?, ?, ?)', rows);
    expect(ins[0]!['number of rows inserted']).toBe(3000);
    const [a] = await s.query<{ ID: string; N: number; TS: Date; OK: boolean; DOC: string }>("SELECT * FROM DB1.SCH.T WHERE ID = ?", ['a']);
    expect(a).toMatchObject({ ID: 'a', N: 1, OK: true, DOC: '{"k":[1,2]}' });
    expect(a!.TS.toISOString()).toBe('2026-11-23T12:00:00.123Z');
    expect(emu.statements.at(-1)!.queryTag).toBe('pipeline-audit/test emulator');
  });

  it('refuses a MERGE whose source holds one key twice, as Snowflake does', async () => {
    await s.query('CREATE TEMPORARY TABLE SRC (ID VARCHAR, V NUMBER(38,0))');
    await s.query('INSERT INTO SRC VALUES (?, ?)', [['x', 1], ['x', 2]]);
    const err = await s.query('MERGE INTO DB1.SCH.T AS t USING SRC AS s ON t.ID = s.ID WHEN MATCHED THEN UPDATE SET N = s.V WHEN NOT MATCHED THEN INSERT (ID, N) VALUES (s.ID, s.V)').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SnowflakeError);
    expect(String((err as Error).message)).toMatch(/100090/);
  });

  it('reports SQL errors with code and state, renews an expired session, survives a dropped connection', async () => {
    await expect(s.query('SELECT * FROM DB1.SCH.NOPE')).rejects.toThrow(/002003\/42S02/);
    emu.faults.expireSession();
    expect(await s.query<{ N: number }>('SELECT 1 AS N')).toEqual([{ N: 1 }]);
    emu.faults.dropConnection('SELECT 2');
    expect(await s.query<{ N: number }>('SELECT 2 AS N')).toEqual([{ N: 2 }]);
  });

  it('refuses a wrong password clearly, without the password', async () => {
    const err = await openSnowflake({ ...settings(), password: 'wrong-password-123' }, { queryTag: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SnowflakeError);
    expect(String((err as Error).message)).toMatch(/390100|Incorrect/);
    expect(String((err as Error).message)).not.toContain('wrong-password-123');
  });

  it('keeps hostile strings verbatim', async () => {
    const hostile = `'; DROP TABLE DB1.SCH.T; -- \\ "q" <b>x</b> \u00e9\u{1F600}`;
    await s.query('INSERT INTO DB1.SCH.T (ID) VALUES (?)', [hostile]);
    const rows = await s.query<{ ID: string }>('SELECT ID FROM DB1.SCH.T WHERE ID = ?', [hostile]);
    expect(rows).toEqual([{ ID: hostile }]);
  });
});
