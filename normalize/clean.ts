// One pass over a run before it is validated and stored: every string made well-formed (no lone surrogate, no
// NUL) and then redacted, every key made well-formed, and a string under a secret-named key masked whole. It is
// `redactDeep(wellFormedDeep(v))` in one walk, and copy-on-write: an object in which nothing changed is returned
// as it is, so the common run allocates nothing but the few strings that held a secret.
//
// Vendor payloads repeat most of their strings (states, paths, job names, the same secret in every run's
// parameters): a `Cleaner` remembers what it made of each short string and each key name, bounded, so the regex
// scans run once per distinct string rather than once per run. One cleaner per cycle (per `secrets` array).
import { isSecretKeyName } from './secret-patterns.js';
import { redact, REDACTED } from './redact.js';
import { wellFormed } from './text.js';

/** Strings longer than this are not remembered (error texts are mostly unique, and large). */
const MAX_CACHED_LENGTH = 512;
/** Entries per map before it is cleared: bounds the memory whatever the data. */
const MAX_ENTRIES = 20_000;

export interface Cleaner {
  /** The value with its text well-formed and redacted (the same object when nothing changed). */
  clean<T>(value: T): T;
}

const isPlainObject = (v: object): v is Record<string, unknown> => {
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

function bounded<V>(map: Map<string, V>, key: string, make: () => V): V {
  let v = map.get(key);
  if (v !== undefined) return v;
  v = make();
  if (map.size >= MAX_ENTRIES) map.clear();
  map.set(key, v);
  return v;
}

export function createCleaner(secrets: readonly string[] = []): Cleaner {
  const texts = new Map<string, string>();
  const keys = new Map<string, { key: string; secret: boolean }>();
  const text = (s: string): string => {
    if (s.length > MAX_CACHED_LENGTH) return redact(wellFormed(s), secrets);
    return bounded(texts, s, () => redact(wellFormed(s), secrets));
  };
  const key = (k: string) =>
    bounded(keys, k, () => {
      const w = wellFormed(k);
      return { key: w, secret: isSecretKeyName(w) };
    });

  function clean<T>(value: T): T {
    if (typeof value === 'string') return text(value) as T;
    if (value === null || typeof value !== 'object' || value instanceof Date) return value;
    if (Array.isArray(value)) {
      let out: unknown[] | null = null;
      for (let i = 0; i < value.length; i++) {
        const v: unknown = value[i];
        const c = clean(v);
        if (c !== v && out === null) out = value.slice(0, i);
        if (out !== null) out.push(c);
      }
      return (out ?? value) as T;
    }
    // Class instances other than Date become plain objects, as redactDeep makes them.
    let changed = !isPlainObject(value);
    const entries: [string, unknown][] = [];
    for (const k in value) {
      if (!Object.prototype.hasOwnProperty.call(value, k)) continue;
      const v: unknown = (value as Record<string, unknown>)[k];
      const kk = key(k);
      const c = typeof v === 'string' && v.length > 0 && kk.secret ? REDACTED : clean(v);
      if (c !== v || kk.key !== k) changed = true;
      entries.push([kk.key, c]);
    }
    // Object.fromEntries defines own properties, so a `__proto__` key from JSON.parse stays a plain key.
    return (changed ? Object.fromEntries(entries) : value) as T;
  }
  return { clean };
}
