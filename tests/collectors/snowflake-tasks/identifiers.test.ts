// Monitored databases and schemas: names resolved as Snowflake resolves identifiers, validated, quoted or bound.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import {
  describeMonitoredDatabases,
  isMonitored,
  monitoredCondition,
  monitoredDatabasesSchema,
  parseIdentifierPath,
  quoteIdentifier,
  splitIdentifierList,
} from '../../../collectors/snowflake-tasks/identifiers.js';
import { loadConfig } from '../../../config/load.js';
import { ConfigError } from '../../../errors.js';

const cwd = mkdtempSync(join(tmpdir(), 'pa-sf-ident-'));
const CONNECTION = { SNOWFLAKE_ACCOUNT: 'myorg-prod', SNOWFLAKE_USER: 'SVC', SNOWFLAKE_PASSWORD: 'pw-secret' };

describe('Snowflake identifiers', () => {
  it('resolves unquoted names upper-case and quoted names exactly', () => {
    expect(parseIdentifierPath('etl')).toEqual(['ETL']);
    expect(parseIdentifierPath(' etl . public ')).toEqual(['ETL', 'PUBLIC']);
    expect(parseIdentifierPath('"MixedCase"')).toEqual(['MixedCase']);
    expect(parseIdentifierPath('"My DB"."a.b"')).toEqual(['My DB', 'a.b']);
    expect(parseIdentifierPath('"say ""hi"""')).toEqual(['say "hi"']);
    expect(parseIdentifierPath('_x$1')).toEqual(['_X$1']);
  });

  it('refuses what is neither plain nor properly quoted, saying how to write it', () => {
    for (const bad of ['etl-prod', '1ETL', 'ETL;DROP TABLE X', '"open', '""', 'A.', '"a"b"', "ETL' OR '1'='1", 'a\u0000']) {
      expect(typeof parseIdentifierPath(bad)).toBe('string');
    }
    expect(parseIdentifierPath('etl-prod')).toMatch(/double quotes/);
    expect(parseIdentifierPath(`"${'x'.repeat(256)}"`)).toMatch(/255/);
  });

  it('quotes a resolved name so that it names exactly that object in SQL text', () => {
    expect(quoteIdentifier('ETL')).toBe('"ETL"');
    expect(quoteIdentifier('a"; DROP DATABASE X; --')).toBe('"a""; DROP DATABASE X; --"');
    expect(parseIdentifierPath(quoteIdentifier('a"; DROP DATABASE X; --'))).toEqual(['a"; DROP DATABASE X; --']);
  });

  it('splits a comma list, leaving commas inside quotes alone', () => {
    expect(splitIdentifierList('ETL.PUBLIC, ETL.STAGING,MARTS,, "A,B".x')).toEqual(['ETL.PUBLIC', 'ETL.STAGING', 'MARTS', '"A,B".x']);
  });

  it('merges entries by database: a database named on its own means every schema', () => {
    const dbs = monitoredDatabasesSchema.parse(['etl.public', 'ETL.STAGING', 'MARTS', 'marts.core', { name: '"Fin"', schemas: ['"Core"', 'raw'] }]);
    expect(dbs).toEqual([
      { name: 'ETL', schemas: ['PUBLIC', 'STAGING'] },
      { name: 'MARTS', schemas: null },
      { name: 'Fin', schemas: ['Core', 'RAW'] },
    ]);
    expect(describeMonitoredDatabases(dbs)).toBe('ETL (schemas PUBLIC, STAGING), MARTS (every schema), "Fin" (schemas "Core", RAW)');
    expect(isMonitored(dbs, 'ETL', 'PUBLIC')).toBe(true);
    expect(isMonitored(dbs, 'ETL', 'CORE')).toBe(false);
    expect(isMonitored(dbs, 'etl', 'PUBLIC')).toBe(false); // a lower-case name is a quoted one: another database
    expect(isMonitored(dbs, 'MARTS', null)).toBe(true);
    expect(isMonitored(dbs, null, null)).toBe(false);
  });

  it('turns the list into a SQL condition with every name bound', () => {
    const dbs = monitoredDatabasesSchema.parse(['MARTS', 'ETL.PUBLIC', '"x\'y"']);
    const c = monitoredCondition(dbs);
    expect(c.sql).toBe('DATABASE_NAME IN (?, ?) OR (DATABASE_NAME = ? AND SCHEMA_NAME IN (?))');
    expect(c.binds).toEqual(['MARTS', "x'y", 'ETL', 'PUBLIC']);
  });

  it('reports each bad entry at its index', () => {
    const r = monitoredDatabasesSchema.safeParse(['ETL', 'bad-name', 'A.B.C', { name: 'X.Y' }, { name: 'Z', schemas: ['ok', 'no good'] }]);
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path[0])).toEqual([1, 2, 3, 4]);
    expect(monitoredDatabasesSchema.safeParse([]).success).toBe(false);
  });
});

describe('Snowflake Tasks configuration', () => {
  it('reads SNOWFLAKE_TASKS_DATABASES as databases and database.schema entries', () => {
    const c = loadConfig({ ...CONNECTION, SNOWFLAKE_TASKS_DATABASES: 'ETL.PUBLIC,ETL.STAGING,MARTS,"Mixed Case"' }, { cwd });
    const scope = c.scopes.find((s) => s.platform === 'snowflake')!.scope as { databases: unknown };
    expect(scope.databases).toEqual([
      { name: 'ETL', schemas: ['PUBLIC', 'STAGING'] },
      { name: 'MARTS', schemas: null },
      { name: 'Mixed Case', schemas: null },
    ]);
  });

  it('names SNOWFLAKE_TASKS_DATABASES when an entry is not an identifier', () => {
    try {
      loadConfig({ ...CONNECTION, SNOWFLAKE_TASKS_DATABASES: 'ETL,etl-prod' }, { cwd });
      throw new Error('expected a ConfigError');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).issues).toEqual([expect.objectContaining({ variable: 'SNOWFLAKE_TASKS_DATABASES', message: expect.stringMatching(/etl-prod.*double quotes/) })]);
    }
  });

  it('reads databases with schemas from the config file', () => {
    const path = join(mkdtempSync(join(cwd, 'file-')), 'pipeline-audit.json'); // apart from the env-only tests' cwd
    writeFileSync(path, JSON.stringify({ snowflake: { accounts: [{ account: 'myorg-prod', user: 'SVC', passwordEnv: 'SF_PW', databases: ['ETL', { name: 'MARTS', schemas: ['CORE'] }] }] } }));
    const c = loadConfig({ SF_PW: 'pw-secret' }, { cwd, configPath: path });
    const scope = c.scopes.find((s) => s.platform === 'snowflake')!.scope as { databases: unknown };
    expect(scope.databases).toEqual([
      { name: 'ETL', schemas: null },
      { name: 'MARTS', schemas: ['CORE'] },
    ]);
  });
});
