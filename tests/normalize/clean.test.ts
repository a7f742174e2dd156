import { describe, it, expect } from '@jest/globals';
import { createCleaner } from '../../normalize/clean.js';
import { redactDeep } from '../../normalize/redact.js';
import { wellFormedDeep } from '../../normalize/text.js';
import { CORPUS } from '../fixtures/secret-corpus.js';

// The one-pass cleaner must be exactly the two passes it replaces.
const twoPasses = (v: unknown, secrets: readonly string[] = []) => redactDeep(wellFormedDeep(v), secrets);

describe('createCleaner', () => {
  it('equals redactDeep(wellFormedDeep(v)) over the secret corpus, nested, twice (the second time from its memory)', () => {
    const input = {
      cases: CORPUS.map((c) => ({ text: c.text, nested: [c.text, { form: c.form }] })),
      password: 'whole-value-masked',
      ['k\ud800']: ['x\0', { y: 'z\udc00', token: 'tok\0en' }],
      when: new Date(0),
      n: 1,
      nil: null,
      long: `${'a'.repeat(600)} password=hunter22 ${'b'.repeat(600)}`,
    };
    const cleaner = createCleaner(['my-literal-secret']);
    const want = twoPasses(input, ['my-literal-secret']);
    expect(cleaner.clean(input)).toEqual(want);
    expect(cleaner.clean(input)).toEqual(want);
    for (const c of CORPUS) expect(JSON.stringify(cleaner.clean(input))).not.toContain(c.secret);
  });

  it('masks configured secrets by value', () => {
    const out = createCleaner(['my-literal-secret']).clean({ a: ['x my-literal-secret y'] });
    expect(out).toEqual({ a: ['x [REDACTED] y'] });
  });

  it('returns the very same object when nothing needed changing, and never touches its input', () => {
    const input = { a: ['plain', { b: 'text', n: 2 }], c: null };
    const copy = structuredClone(input);
    expect(createCleaner().clean(input)).toBe(input);
    const dirty = { keep: { x: 'same' }, d: { password: 'p' } };
    const out = createCleaner().clean(dirty);
    expect(out).not.toBe(dirty);
    expect(out.keep).toBe(dirty.keep);
    expect(dirty.d.password).toBe('p');
    expect(input).toEqual(copy);
  });

  it('keeps a __proto__ key a plain key', () => {
    const input = JSON.parse('{"__proto__": {"password": "x"}, "a": "b"}') as Record<string, unknown>;
    const out = createCleaner().clean(input);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(twoPasses(input)).toEqual(out);
  });

  it('stays correct after its memory is cleared (more distinct strings than it keeps)', () => {
    const cleaner = createCleaner();
    const many = Array.from({ length: 20_500 }, (_, i) => `v${i} token=abc${i}def`);
    expect(cleaner.clean(many)).toEqual(twoPasses(many));
  });
});
