// The Node version check, run before anything else loads: on an older Node the dependencies fail in ways that look
// like bugs (undici 8 needs Node 22.19, and on Node 20 it dies with "Cannot read properties of undefined"). This
// file imports nothing, so that it runs on any Node that can parse it.

/** The oldest Node pipeline-audit runs on: undici 8's own `engines` (the highest of every dependency's). */
export const MINIMUM_NODE = '22.19.0';

/** How to get a newer Node without root or a version manager: the npm registry's `node` package ships the binary. */
export const NEWER_NODE_RECIPE = 'npm install --prefix ~/.node24 node@24 && export PATH="$HOME/.node24/node_modules/.bin:$PATH"';

function parts(version: string): number[] {
  return version
    .replace(/^v/, '')
    .split(/[.-]/)
    .slice(0, 3)
    .map((p) => Number.parseInt(p, 10) || 0);
}

/** True when `version` (e.g. `22.12.0` or `v24.1.0`) is at least `minimum`. */
export function atLeast(version: string, minimum: string): boolean {
  const a = parts(version);
  const b = parts(minimum);
  for (let i = 0; i < 3; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x > y;
  }
  return true;
}

/** A one-line message when this Node is too old, else null. */
export function nodeVersionProblem(version: string): string | null {
  if (atLeast(version, MINIMUM_NODE)) return null;
  return `Node ${version.replace(/^v/, '')} is too old: pipeline-audit needs Node ${MINIMUM_NODE} or newer. Get Node 24 with: ${NEWER_NODE_RECIPE}`;
}
