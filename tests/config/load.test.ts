import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { describeConfig, loadConfig } from '../../config/load.js';
import { ConfigError } from '../../errors.js';

const cwd = mkdtempSync(join(tmpdir(), 'pa-config-'));
const load = (env: Record<string, string>, opts: Parameters<typeof loadConfig>[1] = {}) => loadConfig(env, { cwd, ...opts });
const issuesOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).issues;
  }
  throw new Error('expected a ConfigError');
};

describe('configuration', () => {
  it('with nothing configured monitors nothing, says why for each platform, and uses the embedded store', () => {
    const c = load({});
    expect(c.scopes).toEqual([]);
    expect(c.notEnabled.map((n) => n.platform).sort()).toEqual(['airbyte', 'databricks', 'powerautomate', 'snowflake']);
    expect(c.store.kind).toBe('duckdb');
  });

  it('enables a platform by its credentials, with the user names and the standard names', () => {
    const a = load({ DATABRICKS_HOST: 'adb-1.azuredatabricks.net', DATABRICKS_API_KEY: 'dapi-user-name-token' });
    expect(a.enabled).toEqual(['databricks']);
    expect(a.scopes[0]!.scopeId).toBe('adb-1.azuredatabricks.net');
    expect(a.secrets).toContain('dapi-user-name-token');
    const b = load({ DATABRICKS_HOST: 'https://adb-2.azuredatabricks.net', DATABRICKS_TOKEN: 'dapi-standard-token' });
    expect(b.scopes[0]!.scopeId).toBe('adb-2.azuredatabricks.net');
  });

  it('treats a listed platform with an empty secret as an error naming the variable, never a silent skip', () => {
    const issues = issuesOf(() => load({ PIPELINE_AUDIT_PLATFORMS: 'databricks,airbyte', DATABRICKS_HOST: 'https://adb-1.net', DATABRICKS_TOKEN: '', AIRBYTE_API_KEY: '' }));
    const vars = issues.map((i) => i.variable).join(' | ');
    expect(vars).toMatch(/DATABRICKS/);
    expect(vars).toMatch(/AIRBYTE/);
  });

  it('reports every problem at once', () => {
    const issues = issuesOf(() =>
      load({ PIPELINE_AUDIT_PLATFORMS: 'databricks,nonsense', PIPELINE_AUDIT_MAX_PAGES: 'lots', PIPELINE_AUDIT_STORE: 'snowflake', SNOWFLAKE_SCHEMA: 'bad name;' }),
    );
    const vars = issues.map((i) => i.variable);
    expect(vars).toEqual(expect.arrayContaining(['PIPELINE_AUDIT_PLATFORMS', 'PIPELINE_AUDIT_MAX_PAGES', 'SNOWFLAKE_SCHEMA', 'SNOWFLAKE_ACCOUNT', 'SNOWFLAKE_USER']));
    expect(issues.length).toBeGreaterThanOrEqual(6);
  });

  it('selects the Snowflake store with DEV_POWERAPPS.AUDIT_JOB_HUB by default, and never prints its secrets', () => {
    const c = load({ SNOWFLAKE_ACCOUNT: 'org-acct', SNOWFLAKE_USER: 'svc', SNOWFLAKE_PASSWORD: 'pw-very-secret' });
    expect(c.store.kind).toBe('snowflake');
    if (c.store.kind !== 'snowflake') throw new Error('unreachable');
    expect(c.store.settings.database).toBe('DEV_POWERAPPS');
    expect(c.store.settings.schema).toBe('AUDIT_JOB_HUB');
    expect(JSON.stringify(describeConfig(c))).not.toContain('pw-very-secret');
  });

  it('reads several Databricks workspaces from the config file, secrets from the variables it names', () => {
    const file = join(cwd, 'multi.json');
    writeFileSync(
      file,
      JSON.stringify({
        databricks: { workspaces: [{ host: 'https://a.example', tokenEnv: 'TOKEN_A' }, { host: 'https://b.example', tokenEnv: 'TOKEN_B' }] },
        store: { kind: 'duckdb', path: 'x.duckdb' },
      }),
    );
    const c = load({ TOKEN_A: 'token-aaaa', TOKEN_B: 'token-bbbb' }, { configPath: file });
    expect(c.scopes.map((s) => s.scopeId)).toEqual(['a.example', 'b.example']);
    expect(c.store).toEqual({ kind: 'duckdb', path: join(cwd, 'x.duckdb') });
    const issues = issuesOf(() => load({ TOKEN_A: 'token-aaaa' }, { configPath: file }));
    expect(issues.map((i) => i.variable).join(' ')).toContain('TOKEN_B');
  });

  it('rejects unknown keys and bad types in the config file with their path', () => {
    const file = join(cwd, 'bad.json');
    writeFileSync(file, JSON.stringify({ databricks: { workspaces: [{ host: 1 }] }, typo: true }));
    const issues = issuesOf(() => load({}, { configPath: file }));
    const text = issues.map((i) => `${i.variable} ${i.message}`).join('\n');
    expect(text).toContain('databricks.workspaces.0.host');
    expect(text).toMatch(/typo|Unrecognized/);
  });

  it('keeps Power Automate user names beside the Azure ones', () => {
    const c = load({
      DATAVERSE_URL: 'https://org.crm.dynamics.com',
      AZURE_TENANT_ID: '00000000-0000-0000-0000-000000000001',
      POWER_AUTOMATE_CLIENT_ID: 'client-id',
      POWER_AUTOMATE_CLIENT_SECRET: 'client-secret-value',
    });
    expect(c.enabled).toEqual(['powerautomate']);
    expect(c.secrets).toContain('client-secret-value');
  });
});
