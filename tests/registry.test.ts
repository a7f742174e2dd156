// Keeps "a platform is one collector, one normalizer, one registry line, its tests, a README row" true.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { COLLECTORS, collectorFor } from '../collectors/registry.js';
import { TOOL_VERSION } from '../normalize/schema.js';

const root = new URL('../', import.meta.url);
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
    for (const f of [`collectors/${file}.ts`, `normalize/${file}.ts`, `tests/${key}`]) expect(existsSync(new URL(f, root))).toBe(true);
    expect(readme).toContain(c!.title.split(' ')[0]);
  });

  it('finds each collector by its platform', () => {
    expect(collectorFor('snowflake').title).toBe('Snowflake Tasks');
  });

  it('reports the version package.json declares', () => {
    expect(TOOL_VERSION).toBe(pkg.version);
  });
});
