// The minimum Node is stated once (bin/node-version.ts) and agrees with package.json's engines, the dependencies'
// own engines, the CI matrix, .ci/run and the README; the CLI checks it before loading anything else.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { MINIMUM_NODE, atLeast, nodeVersionProblem } from '../../bin/node-version.js';
import { runCli } from '../helpers/cli.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');

/** The lowest 22.x version an engines range admits when it names one (`>=22.19.0`, `^20 || >=22`), else null. */
function floorOf(range: string): string | null {
  for (const alt of range.split('||')) {
    const m = /(?:>=|\^)\s*v?22(?:\.(\d+))?(?:\.(\d+))?/.exec(alt.trim());
    if (m) return `22.${m[1] ?? 0}.${m[2] ?? 0}`;
  }
  return null;
}

describe('the minimum Node', () => {
  it('compares versions', () => {
    expect(atLeast('22.19.0', '22.19.0')).toBe(true);
    expect(atLeast('v24.0.0', '22.19.0')).toBe(true);
    expect(atLeast('22.12.0', '22.19.0')).toBe(false);
    expect(atLeast('20.20.2', '22.19.0')).toBe(false);
    expect(nodeVersionProblem('22.19.0')).toBeNull();
    expect(nodeVersionProblem('22.12.0')).toMatch(/^Node 22\.12\.0 is too old: pipeline-audit needs Node 22\.19\.0 or newer\. Get Node 24 with: npm install --prefix ~\/\.node24 node@24/);
  });

  it('is at least what every installed production dependency declares for the 22 line', () => {
    const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { engines?: { node?: string }; dev?: boolean }> };
    const needs: [string, string][] = [];
    for (const [path, p] of Object.entries(lock.packages)) {
      const floor = p.engines?.node && !p.dev ? floorOf(p.engines.node) : null;
      if (floor) needs.push([path, floor]);
    }
    expect(needs.length).toBeGreaterThan(0);
    for (const [path, floor] of needs) expect({ path, ok: atLeast(MINIMUM_NODE, floor) }).toEqual({ path, ok: true });
    expect(needs.some(([, f]) => f === MINIMUM_NODE)).toBe(true); // the minimum is someone's real floor, not a guess
  });

  it('is stated in package.json, the CI matrix, .ci/run and the README', () => {
    expect((JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node).toBe(`>=${MINIMUM_NODE}`);
    expect(read('.github/workflows/ci.yml')).toMatch(new RegExp(`node: \\['${MINIMUM_NODE.replace(/\./g, '\\.')}', 24\\]`));
    expect(read('.ci/run')).toContain(`minimum=${MINIMUM_NODE}`);
    expect(read('README.md')).toContain(`Node ${MINIMUM_NODE}`);
    expect(read('.github/workflows/ci.yml')).toMatch(/run: npm ci /);
    expect(read('.github/workflows/ci.yml')).not.toMatch(/npm install /);
    expect(read('.ci/run')).toMatch(/^npm ci /m);
  });

  it('the entry imports nothing but the check before it runs', () => {
    const entry = read('bin/pipeline-audit.ts');
    const staticImports = [...entry.matchAll(/^import .* from '([^']+)';$/gm)].map((m) => m[1]);
    expect(staticImports).toEqual(['./node-version.js']);
    expect(read('bin/node-version.ts')).not.toMatch(/^import /m);
    expect(existsSync(join(ROOT, 'bin/cli.ts'))).toBe(true);
  });

  it('the CLI on an older Node prints one line with the fix and exits 2', async () => {
    const cwd = fileURLToPath(new URL('.', import.meta.url));
    for (const version of ['22.12.0', '20.19.0']) {
      const fake = `data:text/javascript,Object.defineProperty(process,"versions",{value:{...process.versions,node:"${version}"}})`;
      const r = await runCli(['demo'], {}, cwd, ['--import', fake]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(`Node ${version} is too old: pipeline-audit needs Node ${MINIMUM_NODE} or newer`);
      expect(r.stderr).toContain('npm install --prefix ~/.node24 node@24');
    }
  });
});
