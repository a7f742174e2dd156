// `pipeline-audit config check` says which databases and schemas of the Snowflake account are monitored.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { runCli } from '../../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'pa-sf-cfg-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('config check for Snowflake Tasks', () => {
  it('lists the monitored databases and schemas, names resolved, without the password', async () => {
    const r = await runCli(['config', 'check'], { SNOWFLAKE_ACCOUNT: 'myorg-prod', SNOWFLAKE_USER: 'SVC', SNOWFLAKE_PASSWORD: 'pw-very-secret', SNOWFLAKE_TASKS_DATABASES: 'etl.public,ETL.STAGING,MARTS,"Mixed"' }, dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/monitor snowflake\s+myorg-prod/);
    expect(r.stdout).toContain('tasks in ETL (schemas PUBLIC, STAGING), MARTS (every schema), "Mixed" (every schema)');
    expect(r.stdout + r.stderr).not.toContain('pw-very-secret');
  });
});
