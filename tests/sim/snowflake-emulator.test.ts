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
  emu = await startSnowflakeEmulator({ users: { svc: 'pw', bare: 'pw', namespaced: 'pw' }, defaultNamespaces: { namespaced: 'NSDB.SCH' } });
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
    await s.query('USE SCHEMA DB1.SCH');
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

  it('empties the target of an INSERT OVERWRITE inside the open transaction (a ROLLBACK brings the rows back)', async () => {
    await s.query('CREATE TABLE IF NOT EXISTS DB1.SCH.OW (ID VARCHAR)');
    await s.query('INSERT INTO DB1.SCH.OW VALUES (?)', [['a'], ['b']]);
    await s.query('BEGIN');
    await s.query('INSERT OVERWRITE INTO DB1.SCH.OW VALUES (?)', [['c']]);
    expect(await s.query('SELECT ID FROM DB1.SCH.OW ORDER BY ID')).toEqual([{ ID: 'c' }]);
    await s.query('ROLLBACK');
    expect(await s.query('SELECT ID FROM DB1.SCH.OW ORDER BY ID')).toEqual([{ ID: 'a' }, { ID: 'b' }]);
    await s.query('INSERT OVERWRITE INTO DB1.SCH.OW VALUES (?)', ['d']);
    expect(await s.query('SELECT ID FROM DB1.SCH.OW ORDER BY ID')).toEqual([{ ID: 'd' }]);
  });

  it('answers a MERGE with the rows it inserted and updated, and takes several parameters in one ALTER SESSION', async () => {
    await s.query('CREATE TABLE IF NOT EXISTS DB1.SCH.M (ID VARCHAR, V NUMBER(38,0))');
    await s.query('INSERT INTO DB1.SCH.M VALUES (?, ?)', ['a', 1]);
    const merge = "MERGE INTO DB1.SCH.M AS t USING (SELECT 'a' AS ID, 2 AS V UNION ALL SELECT 'b', 3) AS s ON t.ID = s.ID WHEN MATCHED AND t.V < s.V THEN UPDATE SET V = s.V WHEN NOT MATCHED THEN INSERT (ID, V) VALUES (s.ID, s.V)";
    expect(await s.query(merge)).toEqual([{ 'number of rows inserted': 1, 'number of rows updated': 1 }]);
    expect(await s.query(merge)).toEqual([{ 'number of rows inserted': 0, 'number of rows updated': 0 }]);
    await s.query("ALTER SESSION SET TIMEZONE = 'UTC' QUERY_TAG = 'two at once' STATEMENT_TIMEOUT_IN_SECONDS = 60");
    await s.query('SELECT 1');
    expect(emu.statements.at(-1)!.queryTag).toBe('two at once');
    await s.query("ALTER SESSION SET QUERY_TAG = 'pipeline-audit/test emulator'");
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

  it('refuses an unqualified temporary table in a session with no current database (090105), as Snowflake does', async () => {
    await s.query('CREATE SCHEMA IF NOT EXISTS NSDB.SCH');
    const bare = await openSnowflake({ ...settings(), username: 'bare', password: 'pw' }, { queryTag: 'pipeline-audit/test bare' });
    try {
      const err = await bare.query('CREATE TEMPORARY TABLE STG (ID VARCHAR)').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SnowflakeError);
      expect(err).toMatchObject({ code: '090105', sqlState: '22000', isRetryable: false });
      expect(String((err as Error).message)).toMatch(/Cannot perform CREATE TEMPTABLE\. This session does not have a current database\. Call 'USE DATABASE', or use a qualified name\./);
      // A qualified temporary table needs no current database and is found again by its qualified name.
      await bare.query('CREATE OR REPLACE TEMPORARY TABLE NSDB.SCH.STG (ID VARCHAR)');
      await bare.query('INSERT INTO NSDB.SCH.STG VALUES (?)', [['a'], ['b']]);
      expect(await bare.query('SELECT COUNT(*) AS N FROM NSDB.SCH.STG')).toEqual([{ N: 2 }]);
    } finally {
      await bare.close();
    }
    // The database named at login, or the user's DEFAULT_NAMESPACE, is the current one.
    for (const who of [{ username: 'bare', database: 'NSDB', schema: 'SCH' }, { username: 'namespaced' }]) {
      const c = await openSnowflake({ ...settings(), password: 'pw', ...who }, { queryTag: 'pipeline-audit/test ns' });
      try {
        await c.query('CREATE TEMPORARY TABLE STG2 (ID VARCHAR)');
      } finally {
        await c.close();
      }
    }
  });

  it('commits an open transaction on DDL, so a later ROLLBACK undoes nothing before it, as Snowflake does', async () => {
    await s.query('CREATE TABLE IF NOT EXISTS DB1.SCH.TX (ID VARCHAR)');
    await s.query('BEGIN');
    await s.query('INSERT INTO DB1.SCH.TX VALUES (?)', ['before-ddl']);
    await s.query('CREATE OR REPLACE TEMPORARY TABLE DB1.SCH.TXSTAGE (ID VARCHAR)');
    await s.query('INSERT INTO DB1.SCH.TX VALUES (?)', ['after-ddl']);
    await s.query('ROLLBACK'); // no transaction is open any more: nothing to undo, and no error
    expect(await s.query('SELECT ID FROM DB1.SCH.TX ORDER BY ID')).toEqual([{ ID: 'after-ddl' }, { ID: 'before-ddl' }]);
    await s.query('BEGIN');
    await s.query('INSERT INTO DB1.SCH.TX VALUES (?)', ['rolled-back']);
    await s.query('ROLLBACK');
    expect(await s.query('SELECT COUNT(*) AS N FROM DB1.SCH.TX')).toEqual([{ N: 2 }]);
  });

  it('refuses the driver\'s stage upload of array binds (it has no stage), which the driver answers by sending them inline', async () => {
    await s.query('CREATE TABLE IF NOT EXISTS DB1.SCH.STAGED (ID VARCHAR, N NUMBER(38,0))');
    const before = emu.statements.length;
    // Straight to the driver, without openSnowflake's arrayBindingThreshold: the server's threshold decides.
    const low = await startSnowflakeEmulator({ users: { svc: 'pw' }, arrayBindingThreshold: 10 });
    const conn = snowflake.createConnection({ account: low.account, accessUrl: low.accessUrl, username: 'svc', password: 'pw', sfRetryMaxLoginRetries: 0 });
    try {
      await conn.connectAsync();
      await new Promise<void>((resolve, reject) =>
        conn.execute({ sqlText: 'CREATE SCHEMA IF NOT EXISTS DB9.SCH', complete: (e) => (e ? reject(e) : resolve()) }),
      );
      await new Promise<void>((resolve, reject) =>
        conn.execute({ sqlText: 'CREATE TABLE DB9.SCH.T (ID VARCHAR, N NUMBER(38,0))', complete: (e) => (e ? reject(e) : resolve()) }),
      );
      const rows = Array.from({ length: 20 }, (_, i) => [`r${i}`, i]);
      await new Promise<void>((resolve, reject) => conn.execute({ sqlText: 'INSERT INTO DB9.SCH.T VALUES (?, ?)', binds: rows, complete: (e) => (e ? reject(e) : resolve()) }));
      expect(low.statements.filter((x) => /SYSTEM\$BIND/.test(x.sqlText)).map((x) => x.ok)).toEqual([false]);
      expect((await low.sql('SELECT count(*) AS n FROM DB9.SCH.T'))[0]).toEqual({ n: 20n });
    } finally {
      await new Promise<void>((resolve) => conn.destroy(() => resolve()));
      await low.close();
    }
    expect(emu.statements.slice(before).some((x) => /SYSTEM\$BIND/.test(x.sqlText))).toBe(false);
  });
});
