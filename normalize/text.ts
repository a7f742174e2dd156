/// <reference lib="es2024.string" />
// Vendor strings (job names, error texts, statuses) are arbitrary UTF-16: they may hold lone surrogates, NULs,
// terminal escapes and bidi overrides. These pure helpers make them safe for the places they end up: a warehouse
// column (well-formed, no NUL, bounded length), and a terminal or a one-line log (no control characters).

const REPLACEMENT = '\uFFFD';

/**
 * Returns `s` with lone surrogates and NULs replaced by U+FFFD. Snowflake and DuckDB refuse invalid UTF-8 and
 * NUL inside VARCHAR. NUL is replaced rather than dropped so the UTF-16 length stays the same (a bound checked
 * earlier still holds) and the reader can see that something was there. The common case is one scan and no copy.
 */
export function wellFormed(s: string): string {
  const ok = s.isWellFormed();
  if (ok && !s.includes('\0')) return s;
  const w = ok ? s : s.toWellFormed();
  return w.includes('\0') ? w.replaceAll('\0', REPLACEMENT) : w;
}

const isPlainObject = (v: object): v is Record<string, unknown> => {
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

/**
 * Applies `wellFormed` to every string and object key in a JSON-like value (plain objects and arrays; Dates and
 * other class instances are left as they are). Returns the very same value when nothing needed changing, so the
 * common case allocates nothing. If two keys become equal after repair, the later one wins.
 */
export function wellFormedDeep<T>(value: T): T {
  if (typeof value === 'string') return wellFormed(value) as T;
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let out: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      const w = wellFormedDeep(v);
      if (w !== v && out === null) out = value.slice(0, i);
      if (out !== null) out.push(w);
    }
    return (out ?? value) as T;
  }
  if (!isPlainObject(value)) return value;
  const entries = Object.entries(value);
  let changed = false;
  const next = entries.map(([k, v]): [string, unknown] => {
    const k2 = wellFormed(k);
    const v2 = wellFormedDeep(v);
    if (k2 !== k || v2 !== v) changed = true;
    return [k2, v2];
  });
  // Object.fromEntries defines own properties, so a `__proto__` key from JSON.parse stays a plain key.
  return (changed ? Object.fromEntries(next) : value) as T;
}

const isHigh = (c: number): boolean => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number): boolean => c >= 0xdc00 && c <= 0xdfff;

let segmenter: Intl.Segmenter | null = null;
// How far around a cut the segmenter looks. A cluster longer than this (Zalgo text) may be cut inside, never a
// code point.
const WINDOW = 64;

/**
 * The nearest index to `index` (towards the start, or towards the end) that splits neither a code point nor,
 * as far as Intl.Segmenter can tell, a grapheme cluster (a flag, a ZWJ family, a letter and its accents).
 * Between two ASCII characters every index is a boundary except inside CR LF, so ASCII text never pays for the
 * segmenter.
 */
export function safeCut(s: string, index: number, toward: 'start' | 'end' = 'start'): number {
  if (index <= 0) return 0;
  if (index >= s.length) return s.length;
  const before = s.charCodeAt(index - 1);
  const after = s.charCodeAt(index);
  if (before < 0x80 && after < 0x80) {
    if (before === 0x0d && after === 0x0a) return toward === 'start' ? index - 1 : index + 1;
    return index;
  }
  const lo = Math.max(0, index - WINDOW);
  const hi = Math.min(s.length, index + WINDOW);
  segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  const seg = segmenter.segment(s.slice(lo, hi)).containing(index - lo);
  let cut = index;
  if (seg !== undefined && lo + seg.index < index) {
    const start = lo + seg.index;
    const end = start + seg.segment.length;
    // A segment touching the window's edge may be cut short by the window: trust only the side inside it.
    if (toward === 'start' && (start > lo || lo === 0)) cut = start;
    else if (toward === 'end' && (end < hi || hi === s.length)) cut = end;
  }
  // Whatever the segmenter said, never leave half a surrogate pair.
  if (cut > 0 && cut < s.length && isHigh(s.charCodeAt(cut - 1)) && isLow(s.charCodeAt(cut))) {
    cut += toward === 'start' ? -1 : 1;
  }
  return cut;
}

/**
 * Bounds `s` to `max` UTF-16 code units (what zod's `.max()` counts) including the ellipsis, cutting on a
 * grapheme boundary. If the first cluster alone is longer than the room left, only the ellipsis remains. When
 * `max` is smaller than the ellipsis, the text is cut without one. Lone surrogates already in `s` are kept (use
 * `wellFormed` for those).
 */
export function truncate(s: string, max: number, ellipsis = '…'): string {
  if (s.length <= max) return s;
  if (max <= 0) return '';
  const tail = ellipsis.length <= max ? ellipsis : '';
  return s.slice(0, safeCut(s, max - tail.length, 'start')) + tail;
}

// C0 and C1 controls, DEL, bidi embeddings/overrides/isolates/marks, line and paragraph separators, lone
// surrogates, and the backslash itself (so the escaped output is unambiguous).
const UNSAFE = /[\\\p{Cc}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]|\p{Cs}/u;
const UNSAFE_G = new RegExp(UNSAFE.source, 'gu');
const NAMED: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Makes a vendor string safe to print on a terminal or in a one-line log: newlines, escape sequences, C1
 * controls (U+009B is a one-byte CSI), bidi controls (Trojan Source) and line separators become visible
 * `\n`, `\x1b`, `\u202e` escapes, and `\` becomes `\\`. Text with none of those is returned as is.
 */
export function escapeForTerminal(s: string): string {
  if (!UNSAFE.test(s)) return s;
  return s.replace(UNSAFE_G, (ch) => {
    const named = NAMED[ch];
    if (named !== undefined) return named;
    const code = ch.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
