// Keeps "a platform is one module, one normalizer, one simulator, one registry line, its tests, a README row" true.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { COLLECTORS, PLATFORM_MODULES, collectorFor } from '../../collectors/registry.js';
import { PLATFORMS, TOOL_VERSION } from '../../normalize/schema.js';

const root = new URL('../../', import.meta.url);
const readme = readFileSync(new URL('README.md', root), 'utf8');
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { version: string };

describe('collector registry', () => {
  const entries = Object.entries(COLLECTORS);
  it('has all four platforms', () => {
    expect(entries.map(([k]) => k).sort()).toEqual(['airbyte', 'databricks', 'powerautomate', 'snowflake']);
  });

  it.each(entries)('%s: keyed by its own platform, with sane limits, its files, tests and README row', (key, c) => {
    expect(c!.platform).toBe(key);
    expect(c!.retentionMs).toBeGreaterThan(c!.overlapMs);
    expect(c!.maxChunkMs).toBeGreaterThan(c!.overlapMs);
    expect(c!.concurrency).toBeGreaterThanOrEqual(1);
    const file = key === 'snowflake' ? 'snowflake-tasks' : key;
    for (const f of [`collectors/${file}/index.ts`, `normalize/${file}.ts`, `sim/platforms/${key}.ts`, `tests/collectors/${file}`, `tests/normalize/${file === 'snowflake-tasks' ? 'snowflake-tasks' : key}.test.ts`]) {
      expect([f, existsSync(new URL(f, root))]).toEqual([f, true]);
    }
    expect(readme).toContain(c!.title.split(' ')[0]);
  });

  it.each(Object.entries(PLATFORM_MODULES))('%s: its module holds its collector, its configuration reader and its capability row', async (key, m) => {
    expect(m.platform).toBe(key);
    expect(m.collector).toBe(COLLECTORS[m.platform]);
    expect(m.config.hint.length).toBeGreaterThan(10);
    expect(m.config.fromEnv({ get: () => undefined, first: () => undefined, secret: () => undefined })).toEqual([]);
    for (const v of Object.values(m.capability)) expect(v.length).toBeGreaterThan(3);
    const sim = (await import(`../../sim/platforms/${key}.js`)) as { startDemo?: unknown };
    expect(typeof sim.startDemo).toBe('function');
  });

  it('lists exactly the platforms of the run schema', () => {
    expect(Object.keys(PLATFORM_MODULES).sort()).toEqual([...PLATFORMS].sort());
  });

  it('finds each collector by its platform', () => {
    expect(collectorFor('snowflake').title).toBe('Snowflake Tasks');
  });

  it('reports the version package.json declares', () => {
    expect(TOOL_VERSION).toBe(pkg.version);
  });
});
