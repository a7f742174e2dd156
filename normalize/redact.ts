// Secrets that show up in run data (connection strings, tokens in error text, signed URLs) are redacted before
// anything is stored, logged or mailed. Patterns are deliberately broad: a false positive costs a few characters
// of an error message, a false negative leaks a credential into the audit table. The forms caught are listed,
// one test each, in tests/normalize/redact.test.ts.
import { safeCut } from './text.js';
import { isSecretKeyName, RULES } from './secret-patterns.js';

export const REDACTED = '[REDACTED]';

// Every rule has needles (lower-case substrings its match must contain). One case-insensitive scan for any
// needle decides whether the text is worth looking at; the common case, text with no secret, stops there.
const ANY_NEEDLE = new RegExp(
  [...new Set(RULES.flatMap((r) => r.needles))].map((n) => n.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')).join('|'),
  'i',
);

// Configured secrets shorter than this are not masked by value: masking `abc` everywhere would wreck every
// message and tell a reader where the secret's letters occur. Such secrets should not exist; the patterns still
// mask them where they appear as a value of a secret-named key.
const MIN_LITERAL = 4;

// The forms a configured secret takes in transit, computed once per `secrets` array (config.secrets is one array
// for a whole cycle). Longest first, so that a secret containing another is masked whole.
const variantCache = new WeakMap<readonly string[], string[]>();
function variants(secrets: readonly string[]): string[] {
  let out = variantCache.get(secrets);
  if (out !== undefined) return out;
  const set = new Set<string>();
  for (const s of secrets) {
    if (typeof s !== 'string' || s.length < MIN_LITERAL) continue;
    set.add(s);
    set.add(encodeURIComponent(s)); // query strings, form bodies
    set.add(JSON.stringify(s).slice(1, -1)); // inside a JSON string (quotes, backslashes escaped)
    const b64 = Buffer.from(s, 'utf8').toString('base64');
    set.add(b64);
    set.add(b64.replace(/=+$/, ''));
    set.add(b64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')); // base64url (JWT parts, tokens)
  }
  out = [...set].filter((v) => v.length >= MIN_LITERAL).sort((a, b) => b.length - a.length);
  variantCache.set(secrets, out);
  return out;
}

/**
 * Returns the text with secret-looking substrings replaced by `[REDACTED]`: every configured secret in
 * `secrets` (as is, URL-encoded, JSON-escaped and base64), wherever it occurs, then the known secret forms.
 * Secrets shorter than 4 characters are not masked by value.
 */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text;
  if (secrets.length > 0) {
    for (const v of variants(secrets)) if (out.includes(v)) out = out.replaceAll(v, REDACTED);
  }
  if (out.length < 6) return out;
  if (out.length >= REMEMBER_FROM && patternsDone.has(out)) return out;
  const done = redactPatterns(out);
  if (done.length >= REMEMBER_FROM) remember(done);
  return done;
}

// Long texts (error messages) are redacted where they are made (the normalizer, before it cuts them to size) and
// again by the cycle's cleaning pass over the whole run. The patterns' result is remembered, bounded, so the second
// pass costs a lookup; configured secrets are still looked for each time (another caller may know more of them).
const REMEMBER_FROM = 256;
const REMEMBER_CHARS = 4_000_000;
const patternsDone = new Set<string>();
let rememberedChars = 0;
function remember(s: string): void {
  if (rememberedChars + s.length > REMEMBER_CHARS) {
    patternsDone.clear();
    rememberedChars = 0;
  }
  patternsDone.add(s);
  rememberedChars += s.length;
}

function redactPatterns(text: string): string {
  let out = text;
  if (!ANY_NEEDLE.test(out)) return out;
  let lower = out.toLowerCase();
  for (const rule of RULES) {
    if (!rule.needles.some((n) => lower.includes(n))) continue;
    const next = out.replace(rule.pattern, rule.replace as (substring: string, ...args: string[]) => string);
    if (next !== out) {
      out = next;
      lower = out.toLowerCase();
    }
  }
  return out;
}

/**
 * Redacts every string inside a JSON-like value (a copy; the input is untouched). A string under a key that
 * names a secret (`password`, `client_secret`, `sasToken`, ...) is masked whole.
 */
export function redactDeep<T>(value: T, secrets: readonly string[] = []): T {
  if (typeof value === 'string') return redact(value, secrets) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => redactDeep(v, secrets)) as T;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    // Object.fromEntries defines own properties, so a `__proto__` key stays a key and never sets the prototype.
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        typeof v === 'string' && v.length > 0 && isSecretKeyName(k) ? REDACTED : redactDeep(v, secrets),
      ]),
    ) as T;
  }
  return value;
}

/**
 * Bounds an error text while keeping what matters: the head (what failed) and the tail (a Spark or Java root
 * cause is the last "Caused by"). The middle is replaced by a marker saying how many UTF-16 units were cut.
 * Cuts fall on grapheme boundaries, so neither half ends in half an emoji or a lone surrogate.
 */
export function headTail(text: string, max = 4000): string {
  if (text.length <= max) return text;
  // The marker's length is bounded by the digits of text.length, so the result is never over `max`.
  const markerRoom = `\n…[${text.length} characters cut]…\n`.length;
  const keep = max - markerRoom;
  if (keep <= 0) return text.slice(0, safeCut(text, max, 'start'));
  const head = safeCut(text, Math.ceil(keep * 0.4), 'start');
  const tailStart = Math.max(head, safeCut(text, text.length - (keep - Math.ceil(keep * 0.4)), 'end'));
  return `${text.slice(0, head)}\n…[${tailStart - head} characters cut]…\n${text.slice(tailStart)}`;
}

const SECRET_QUERY = /^(code|token|access_token|refresh_token|id_token|client_secret|secret|password|sig|signature|api[_-]?key|key|x-amz-signature|x-amz-credential|x-amz-security-token|x-goog-signature|x-goog-credential)$/i;

/** URL for messages: no user info, secret-looking query values masked. */
export function safeUrl(url: string | URL): string {
  try {
    const u = new URL(url.toString());
    u.username = '';
    u.password = '';
    for (const k of [...u.searchParams.keys()]) if (SECRET_QUERY.test(k)) u.searchParams.set(k, 'REDACTED');
    return u.toString();
  } catch {
    return redact(String(url));
  }
}
