// Keeps "a platform is one module, one normalizer, one simulator, one registry line, its tests, a README row" true.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { COLLECTORS, PLATFORM_MODULES, collectorFor } from '../../collectors/registry.js';
import { PLATFORMS, TOOL_VERSION } from '../../normalize/schema.js';

const root = new URL('../../', import.meta.url);
const readme = readFileSync(new URL('README.md', root), 'utf8');
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { version: string };

/** Platform id → the folder of its module, found by reading each collectors/<folder>/index.ts. */
const moduleFolders = new Map(
  readdirSync(new URL('collectors/', root), { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(new URL(`collectors/${d.name}/index.ts`, root)))
    .map((d) => [/platform: '([a-z]+)'/.exec(readFileSync(new URL(`collectors/${d.name}/index.ts`, root), 'utf8'))?.[1], d.name] as const),
);

describe('collector registry', () => {
  const entries = Object.entries(COLLECTORS);
  it('has a collector for every platform of the run schema', () => {
    expect(entries.map(([k]) => k).sort()).toEqual([...PLATFORMS].sort());
  });

  it.each(entries)('%s: keyed by its own platform, with sane limits, its files, tests and README row', (key, c) => {
    expect(c!.platform).toBe(key);
    expect(c!.retentionMs).toBeGreaterThan(c!.overlapMs);
    expect(c!.maxChunkMs).toBeGreaterThan(c!.overlapMs);
    expect(c!.concurrency).toBeGreaterThanOrEqual(1);
    // A module's folder is named for what it reads (`snowflake-tasks`: the platform id `snowflake` also names the store).
    const folder = moduleFolders.get(key);
    expect(folder).toBeDefined();
    for (const f of [`collectors/${folder}/index.ts`, `normalize/${folder}.ts`, `sim/platforms/${key}.ts`, `tests/collectors/${folder}`, `tests/normalize/${folder}.test.ts`]) {
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
