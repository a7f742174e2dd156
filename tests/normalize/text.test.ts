import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { escapeForTerminal, safeCut, truncate, wellFormed, wellFormedDeep } from '../../normalize/text.js';

// Any UTF-16 code unit, lone surrogates included: what a vendor's JSON `\ud800` escape can put in a string.
const utf16 = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 60 });
const anyText = fc.oneof(utf16, fc.string({ unit: 'binary', maxLength: 60 }), fc.string({ unit: 'grapheme', maxLength: 30 }));
const isWellFormed = (s: string): boolean => !/\p{Cs}/u.test(s);
const boundaries = (s: string): Set<number> => {
  const out = new Set([s.length]);
  for (const seg of new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(s)) out.add(seg.index);
  return out;
};

describe('wellFormed', () => {
  it('replaces a lone high or low surrogate with U+FFFD', () => {
    expect(wellFormed('a\ud800b')).toBe('a\ufffdb');
    expect(wellFormed('a\udc00b')).toBe('a\ufffdb');
    expect(wellFormed('end\ud83d')).toBe('end\ufffd');
    expect(wellFormed('\udc00\ud800')).toBe('\ufffd\ufffd'); // reversed pair is two lone halves
  });

  it('replaces NUL with U+FFFD, keeping the length', () => {
    expect(wellFormed('a\0b\0')).toBe('a\ufffdb\ufffd');
    expect(wellFormed('\ud800\0')).toBe('\ufffd\ufffd');
  });

  it('keeps valid text, U+FFFF and surrogate pairs as they are (the same string)', () => {
    for (const s of ['plain', '\uffff', '😀 🇫🇷', 'é', '']) expect(wellFormed(s)).toBe(s);
  });

  it('property: output is well-formed, NUL-free and of the same length', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        const w = wellFormed(s);
        return isWellFormed(w) && !w.includes('\0') && w.length === s.length;
      }),
      { numRuns: 300 },
    );
  });
});

describe('wellFormedDeep', () => {
  it('repairs strings and keys at any depth, leaving dates alone', () => {
    const when = new Date(0);
    const out = wellFormedDeep({ ['k\ud800']: ['x\0', { y: 'z\udc00' }], when, n: 1, nil: null });
    expect(out).toEqual({ ['k\ufffd']: ['x\ufffd', { y: 'z\ufffd' }], when, n: 1, nil: null });
    expect(out.when).toBe(when);
  });

  it('returns the same value when nothing needs changing', () => {
    const input = { a: ['x', { b: 'y' }], c: new Date(0) };
    expect(wellFormedDeep(input)).toBe(input);
  });

  it('copies only what changed and never mutates its input', () => {
    const clean = { b: 'fine' };
    const input = { a: 'bad\ud800', clean };
    const out = wellFormedDeep(input);
    expect(input.a).toBe('bad\ud800');
    expect(out.clean).toBe(clean);
  });
});

describe('truncate', () => {
  it('returns short strings as they are', () => {
    expect(truncate('abc', 3)).toBe('abc');
  });

  it('never leaves a lone surrogate: 999 letters and an emoji at max 1000', () => {
    const out = truncate('a'.repeat(999) + '😀', 1000);
    expect(isWellFormed(out)).toBe(true);
    expect(out).toBe('a'.repeat(999) + '…');
  });

  it('cuts before a surrogate pair that does not fit', () => {
    const out = truncate('a'.repeat(998) + '😀b', 1000);
    expect(out.length).toBeLessThanOrEqual(1000);
    expect(isWellFormed(out)).toBe(true);
    expect(out).toBe('a'.repeat(998) + '…');
  });

  it('does not split flags, ZWJ families or letters with accents', () => {
    expect(truncate('ab🇫🇷🇩🇪x', 6)).toBe('ab…'); // 'ab' + a flag (4 units) + '…' would be 7
    expect(truncate('ab🇫🇷🇩🇪x', 7)).toBe('ab🇫🇷…');
    expect(truncate('hi 👨‍👩‍👧‍👦 there', 12)).toBe('hi …');
    expect(truncate('cafe\u0301 au lait', 5)).toBe('caf…');
    expect(truncate('line\r\nnext', 6)).toBe('line…');
  });

  it('keeps the bound even when the ellipsis does not fit', () => {
    expect(truncate('abcdef', 0)).toBe('');
    expect(truncate('abcdef', 2, '...')).toBe('ab');
    expect(truncate('abcdef', 4, '...')).toBe('a...');
  });

  it('property: within the bound, well-formed when the input is, cut on a grapheme boundary', () => {
    fc.assert(
      fc.property(anyText, fc.integer({ min: 0, max: 70 }), (raw, max) => {
        const s = wellFormed(raw);
        const out = truncate(s, max);
        if (out.length > max || !isWellFormed(out)) return false;
        if (out === s) return s.length <= max;
        const kept = out.endsWith('…') ? out.slice(0, -1) : out;
        return s.startsWith(kept) && boundaries(s).has(kept.length);
      }),
      { numRuns: 300 },
    );
  });
});

describe('safeCut', () => {
  it('moves a cut inside a surrogate pair or cluster to its start or its end', () => {
    const s = 'ab😀cd';
    expect(safeCut(s, 3, 'start')).toBe(2);
    expect(safeCut(s, 3, 'end')).toBe(4);
    expect(safeCut(s, 2, 'end')).toBe(2);
  });
});

describe('escapeForTerminal', () => {
  it('makes a forged log line visible instead of starting a new line', () => {
    const out = escapeForTerminal('job failed\n2026-01-01 INFO - FORGED LINE\r');
    expect(out).toBe('job failed\\n2026-01-01 INFO - FORGED LINE\\r');
    expect(out).not.toContain('\n');
  });

  it('escapes ESC sequences, C1 CSI, DEL and tabs', () => {
    expect(escapeForTerminal('\x1b[31mred\x1b[0m')).toBe('\\x1b[31mred\\x1b[0m');
    expect(escapeForTerminal('\u009b2J')).toBe('\\x9b2J');
    expect(escapeForTerminal('a\x7fb\tc\0')).toBe('a\\x7fb\\tc\\x00');
    expect(escapeForTerminal('\u0085')).toBe('\\x85');
  });

  it('escapes bidi controls and line separators (Trojan Source)', () => {
    expect(escapeForTerminal('user\u202eroot')).toBe('user\\u202eroot');
    expect(escapeForTerminal('\u2066x\u2069')).toBe('\\u2066x\\u2069');
    expect(escapeForTerminal('\u200e\u200f\u061c\u2028\u2029')).toBe('\\u200e\\u200f\\u061c\\u2028\\u2029');
  });

  it('escapes the backslash, so an escape in the input cannot pass for one made here', () => {
    expect(escapeForTerminal('C:\\new')).toBe('C:\\\\new');
    expect(escapeForTerminal('a\\nb')).not.toBe(escapeForTerminal('a\nb'));
  });

  it('returns safe text unchanged, emoji and accents included', () => {
    for (const s of ['nightly load', 'café 😀 👨‍👩‍👧‍👦 日本語', '']) expect(escapeForTerminal(s)).toBe(s);
  });

  it('property: output has no control, bidi or separator character and no lone surrogate', () => {
    const unsafe = /[\p{Cc}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]|\p{Cs}/u;
    fc.assert(
      fc.property(anyText, (s) => !unsafe.test(escapeForTerminal(s))),
      { numRuns: 300 },
    );
  });

  it('property: distinct inputs stay distinct (the escaping is unambiguous)', () => {
    fc.assert(
      fc.property(anyText, anyText, (a, b) => a === b || escapeForTerminal(a) !== escapeForTerminal(b)),
      { numRuns: 300 },
    );
  });
});
