// One list of the variables pipeline-audit reads: every name read under config/, collectors/*/config.ts, the
// Snowflake connection reader and bin/ is in it and in the README; and what is said about the others.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../config/load.js';
import { closestKnown, KNOWN_PREFIXES, KNOWN_VARIABLES, variableNotices } from '../../config/variables.js';
import { ConfigError } from '../../errors.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');

/** Names read in the source: quoted literals under our prefixes, `process.env.X`, and the Snowflake suffixes. */
function namesRead(): Set<string> {
  const files = [
    ...readdirSync(join(ROOT, 'config')).map((f) => `config/${f}`),
    ...readdirSync(join(ROOT, 'collectors'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => `collectors/${d.name}/config.ts`),
    ...readdirSync(join(ROOT, 'bin')).map((f) => `bin/${f}`),
  ].filter((f) => f.endsWith('.ts') && f !== 'config/variables.ts');
  const names = new Set<string>();
  for (const f of files) {
    const text = read(f);
    for (const m of text.matchAll(/'([A-Z][A-Z0-9_]*)'/g)) if (KNOWN_PREFIXES.some((p) => m[1]!.startsWith(p)) && !m[1]!.endsWith('_')) names.add(m[1]!);
    for (const m of text.matchAll(/process\.env\.([A-Z][A-Z0-9_]*)/g)) names.add(m[1]!);
  }
  for (const m of read('connect/snowflake-env.ts').matchAll(/(?:plain|secret)\('([A-Z_]+)'\)/g)) {
    names.add(`SNOWFLAKE_${m[1]}`);
    names.add(`SNOWFLAKE_TASKS_${m[1]}`);
  }
  names.delete('SNOWFLAKE_DISABLE_PLATFORM_DETECTION'); // the driver's, set by the CLI
  return names;
}

describe('known variables', () => {
  it('lists every variable read, and the README documents each', () => {
    const read_ = namesRead();
    expect(read_.size).toBeGreaterThan(40);
    expect([...read_].filter((n) => !KNOWN_VARIABLES.includes(n))).toEqual([]);
    const readme = read('README.md');
    const undocumented = KNOWN_VARIABLES.filter((n) => !readme.includes(`\`${n}\``) && !(n.startsWith('SNOWFLAKE_TASKS_') && readme.includes(`\`_${n.slice('SNOWFLAKE_TASKS_'.length)}\``)) && !readme.includes(`${n}\``) && !readme.includes(`\`${n} `));
    expect(undocumented).toEqual([]);
  });

  it('suggests the known name for a misspelling, case included, and nothing for unrelated names', () => {
    expect(closestKnown('DATABRICKS_TOKN')).toBe('DATABRICKS_TOKEN');
    expect(closestKnown('DATABRICK_HOST')).toBe('DATABRICKS_HOST');
    expect(closestKnown('databricks_token')).toBe('DATABRICKS_TOKEN');
    expect(closestKnown('SNOWFLAKE_ACOUNT')).toBe('SNOWFLAKE_ACCOUNT');
    expect(closestKnown('AIRBYTE_CLEINT_ID')).toBe('AIRBYTE_CLIENT_ID');
    expect(closestKnown('PATH')).toBeNull();
    expect(closestKnown('GITHUB_TOKEN')).toBeNull();
  });

  it('reports unknown prefixed variables and misspellings, never values, and leaves others alone', () => {
    const notices = variableNotices({ DATABRICKS_TOKN: 'dapi-value-123456', DATABRICK_HOST: 'h', SMTP_HOSTNAME: 'x', HOME: '/h', PATH: '/bin', AZURE_EXTENSION_DIR: '/opt/az', SNOWFLAKE_DISABLE_PLATFORM_DETECTION: 'true', DATABRICKS_HOST: 'ok' });
    expect(notices.map((n) => n.message)).toEqual([
      'unknown variable DATABRICKS_TOKN (did you mean DATABRICKS_TOKEN?)',
      'unknown variable DATABRICK_HOST (did you mean DATABRICKS_HOST?)',
      'unknown variable SMTP_HOSTNAME (pipeline-audit does not read it)',
    ]);
    expect(JSON.stringify(notices)).not.toContain('dapi-value-123456');
  });

  it('says when an exported empty variable hides the value in .env', () => {
    const notices = variableNotices({ DATABRICKS_TOKEN: '', AIRBYTE_API_KEY: 'set' }, { DATABRICKS_TOKEN: 'dapi-from-dotenv', AIRBYTE_API_KEY: 'other', DATABRICKS_HOST: 'h' });
    expect(notices).toEqual([{ variable: 'DATABRICKS_TOKEN', message: expect.stringMatching(/^DATABRICKS_TOKEN is set but empty in the environment, which hides its value in \.env/) }]);
    expect(JSON.stringify(notices)).not.toContain('dapi-from-dotenv');
  });

  it('nothing to monitor is an error when required, naming every platform and the misspellings', () => {
    expect(loadConfig({}, { cwd: ROOT }).scopes).toEqual([]);
    let error: unknown;
    try {
      loadConfig({ AIRBYTE_APIKEY: 'k' }, { cwd: ROOT, requireScopes: true });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const text = (error as ConfigError).message;
    for (const hint of ['DATABRICKS_HOST', 'AIRBYTE_API_KEY', 'DATAVERSE_URL', 'SNOWFLAKE_TASKS_DATABASES', 'pipeline-audit demo']) expect(text).toContain(hint);
    expect(text).toContain('unknown variable AIRBYTE_APIKEY (did you mean AIRBYTE_API_KEY?)');
  });
});
