// Where configuration values come from: the environment (the CLI has already loaded `.env` into it). An empty
// string counts as unset: GitHub passes a missing or renamed secret as ''. Every secret read is remembered, so that
// the cycle can scrub it from everything it stores, logs or reports.
import type { ConfigIssue } from '../errors.js';
import type { ConfigSource } from '../collectors/module.js';

export type Env = Readonly<Record<string, string | undefined>>;

export interface EnvSource extends ConfigSource {
  /** Every secret value read so far. */
  readonly secrets: string[];
  /** A number variable, or `fallback`; a bad value is an issue naming the variable. */
  num(name: string, fallback: number, min?: number): number;
}

export function envSource(env: Env, issues: ConfigIssue[]): EnvSource {
  const secrets: string[] = [];
  const get = (name: string): string | undefined => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  return {
    secrets,
    get,
    first(...names) {
      for (const n of names) {
        const v = get(n);
        if (v !== undefined) return { name: n, value: v };
      }
      return undefined;
    },
    secret(name) {
      if (!name) return undefined;
      const v = get(name);
      if (v !== undefined) secrets.push(v);
      return v;
    },
    num(name, fallback, min = 0) {
      const v = get(name);
      if (v === undefined) return fallback;
      const n = Number(v);
      if (!Number.isFinite(n) || n < min) {
        issues.push({ variable: name, message: `must be a number ≥ ${min}, got '${v}'` });
        return fallback;
      }
      return n;
    },
  };
}
