import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { headTail, redact, redactDeep, safeUrl } from '../../normalize/redact.js';
import { CORPUS } from '../fixtures/secret-corpus.js';
import { RULES } from '../../normalize/secret-patterns.js';

describe('redact', () => {
  it('removes tokens, passwords and connection-string secrets', () => {
    const text =
      'login failed for jdbc:postgresql://etl:hunter2@db:5432/x password=s3cr3t Authorization: Bearer abcdefgh12345678 ' +
      'key dapi0123456789abcdef0123456789abcdef and {"client_secret": "zzzzzz"}';
    const out = redact(text);
    for (const secret of ['hunter2', 's3cr3t', 'abcdefgh12345678', 'dapi0123456789abcdef0123456789abcdef', 'zzzzzz']) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain('login failed');
  });

  it('removes literal secrets given by the caller, deep inside objects', () => {
    const out = redactDeep({ a: ['x my-literal-secret y'], b: { c: 'my-literal-secret' } }, ['my-literal-secret']);
    expect(JSON.stringify(out)).not.toContain('my-literal-secret');
  });

  it('keeps head and tail of long error text', () => {
    const text = 'HEAD ' + 'x'.repeat(10_000) + ' Caused by: RootCause';
    const out = headTail(text, 500);
    expect(out.length).toBeLessThanOrEqual(500);
    expect(out.startsWith('HEAD')).toBe(true);
    expect(out.endsWith('Caused by: RootCause')).toBe(true);
    expect(out).toContain('characters cut');
  });

  it('strips user info and secret query values from URLs', () => {
    expect(safeUrl('https://u:p@h.example/x?token=abc&page=2')).toBe('https://h.example/x?token=REDACTED&page=2');
  });
});

describe('redact: corpus of secret forms', () => {
  it('has at least 60 forms, each named once', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(60);
    expect(new Set(CORPUS.map((c) => c.form)).size).toBe(CORPUS.length);
  });

  it.each(CORPUS.map((c) => [c.form, c] as const))('%s', (_form, c) => {
    expect(c.text).toContain(c.secret); // the case is meaningful: the secret is there before
    const out = redact(c.text);
    expect(out).not.toContain(c.secret);
    expect(out).toContain('[REDACTED]');
    expect(out).toContain(c.keep);
  });

  it('is idempotent: redacting twice changes nothing more', () => {
    for (const c of CORPUS) expect(redact(redact(c.text))).toBe(redact(c.text));
  });
});

describe('redact: configured credential values', () => {
  const secrets = ['Pa55w0rd-CONFIG', 'cfg/secret+with=chars', 'qq'];

  it('masks every configured value wherever it appears', () => {
    const cases = [
      'plain Pa55w0rd-CONFIG here',
      'inside a wordxPa55w0rd-CONFIGy',
      JSON.stringify({ nested: { value: 'Pa55w0rd-CONFIG' } }),
      `url https://h/x?p=${encodeURIComponent('cfg/secret+with=chars')}&q=1`,
      `form body a=1&b=${encodeURIComponent('Pa55w0rd-CONFIG')}`,
      `base64 ${Buffer.from('cfg/secret+with=chars').toString('base64')} end`,
      `base64url ${Buffer.from('Pa55w0rd-CONFIG').toString('base64url')} end`,
    ];
    for (const text of cases) {
      const out = redact(text, secrets);
      expect(out).not.toContain('Pa55w0rd-CONFIG');
      expect(out).not.toContain('cfg/secret+with=chars');
      expect(out).not.toContain(encodeURIComponent('cfg/secret+with=chars'));
      expect(out).not.toContain(Buffer.from('cfg/secret+with=chars').toString('base64'));
      expect(out).not.toContain(Buffer.from('Pa55w0rd-CONFIG').toString('base64url'));
      expect(out).toContain('[REDACTED]');
    }
  });

  it('masks configured values in every string of a deep value, and under secret-named keys', () => {
    const out = redactDeep({ a: ['x Pa55w0rd-CONFIG y'], b: { c: 'Pa55w0rd-CONFIG' }, d: { password: 'short' } }, secrets);
    expect(JSON.stringify(out)).not.toContain('Pa55w0rd-CONFIG');
    expect(out.d.password).toBe('[REDACTED]');
  });

  it('does not mask secrets shorter than 4 characters by value (they would mask every word)', () => {
    expect(redact('the qq queue', secrets)).toBe('the qq queue');
  });

  it('keeps a __proto__ key a plain key', () => {
    const input = JSON.parse('{"__proto__": {"polluted": "yes"}, "ok": "x"}') as Record<string, unknown>;
    const out = redactDeep(input);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toContain('__proto__');
  });
});

describe('redact: ordinary text survives unchanged', () => {
  const ordinary = [
    'Task failed: key not found in table KEYS',
    'token bucket exhausted, retry later',
    'Rate limited by the token bucket; tokens refill at 10/s',
    'Basic authentication is disabled for this workspace',
    'Bearer token expired',
    'password authentication failed for user "etl"',
    'Invalid configuration value detected for fs.azure.account.key',
    'assignee: bob, design: new, bypass: false',
    'mkdir -p /tmp/x && tar -xf a.tar',
    'Job run 123 (ASIA-Pacific sync) failed after 3 attempts with exit code=1',
    'SQL compilation error: Object \'DEV_POWERAPPS.AUDIT_JOB_HUB.RUNS\' does not exist',
    'org.apache.spark.SparkException: Job aborted due to stage failure: Task 0 in stage 1.0 failed 4 times',
    'Caused by: java.lang.NullPointerException at com.example.KeyValueStore.get(KeyValueStore.java:42)',
    'token_type: bearer, expires_in: 3599',
    'Flow run canceled: the connection reference is missing',
    'https://adb-123.azuredatabricks.net/?o=123#job/45/run/67',
    'user@example.com could not log in',
  ];
  it.each(ordinary)('%s', (text) => {
    expect(redact(text)).toBe(text);
  });
});

describe('headTail: code-point and grapheme safe', () => {
  const isWellFormed = (t: string): boolean => !/\p{Cs}/u.test(t);

  it('never cuts an emoji in half at either cut', () => {
    const text = '😀'.repeat(3000); // every odd index is inside a pair
    for (const max of [500, 501, 777, 1000]) {
      const out = headTail(text, max);
      expect(out.length).toBeLessThanOrEqual(max);
      expect(isWellFormed(out)).toBe(true);
      expect(out).toMatch(/^😀+\n…\[\d+ characters cut\]…\n😀+$/u);
    }
  });

  it('reports how much was cut, exactly', () => {
    const text = 'H'.repeat(100) + 'x'.repeat(5000) + 'T'.repeat(100);
    const out = headTail(text, 1000);
    const cut = Number(/\[(\d+) characters cut\]/.exec(out)?.[1]);
    const marker = `\n…[${cut} characters cut]…\n`;
    expect(out.length - marker.length + cut).toBe(text.length);
  });

  it('property: within the bound and well-formed for well-formed input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 400 }), fc.integer({ min: 1, max: 300 }), (text, max) => {
        const out = headTail(text, max);
        return out.length <= max && isWellFormed(out);
      }),
      { numRuns: 300 },
    );
  });
});

describe('redact: output stays well-formed', () => {
  it('property: redaction never splits a surrogate pair', () => {
    const words = fc.constantFrom('password=', 'token: ', ' Bearer ', '😀', 'sk-', 'é', '"', ' ', 'https://u:', '@h');
    fc.assert(
      fc.property(fc.array(fc.oneof(words, fc.string({ unit: 'binary', maxLength: 8 })), { maxLength: 20 }), (parts) => {
        const out = redact(parts.join(''), ['😀😀😀😀']);
        return !/\p{Cs}/u.test(out);
      }),
      { numRuns: 300 },
    );
  });
});

describe('redact: the key=value rule starts at the secret word', () => {
  // The rule's key used to begin with a lazy `[\w.-]{0,60}?`, which cost up to 60 tries at every position of a
  // text. The replacement keeps the key as it is, so starting at the word must mask exactly the same.
  const rule = RULES.find((r) => r.pattern.source.startsWith('((?:pass'))!;
  const prefixed = new RegExp(rule.pattern.source.replace(/^\(/, '([\\w.-]{0,60}?'), rule.pattern.flags);
  const fragments = ['password', 'PWD', 'token', 'x', 'db_', 'a.b-', '_type', 'sig', 'pass', 'api key', 'client.secret', '=', ': ', '=>', '"', "'", '\\"', ', ', ' ', '\n', 'value1', '{v}', '&', 'k=', ';', '<', 'ｘ', '🙂'];
  it('property: the same output as the prefixed form', () => {
    expect(rule).toBeDefined();
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...fragments), { maxLength: 40 }), fc.string({ maxLength: 80 }), (parts, tail) => {
        const text = parts.join('') + tail;
        expect(text.replace(rule.pattern, rule.replace as never)).toBe(text.replace(prefixed, rule.replace as never));
      }),
      { numRuns: 2000 },
    );
    const long = `${'k'.repeat(70)}password=hunter2 and ${'y'.repeat(10)}_token: abc`;
    expect(long.replace(rule.pattern, rule.replace as never)).toBe(long.replace(prefixed, rule.replace as never));
    expect(long.replace(rule.pattern, rule.replace as never)).not.toContain('hunter2');
  });
});

describe('redact: a long text redacted twice', () => {
  it('still masks a configured secret the first call did not know', () => {
    const text = `${'Caused by: java.io.IOException '.repeat(20)}password=hunter2 while connecting with other-secret-123`;
    const first = redact(text, ['scope-only-secret']);
    expect(first).not.toContain('hunter2');
    expect(first).toContain('other-secret-123');
    // The same text again (its patterns' result is remembered), now with one more configured secret.
    const second = redact(first, ['scope-only-secret', 'other-secret-123']);
    expect(second).not.toContain('other-secret-123');
    expect(second).not.toContain('hunter2');
    expect(redact(first, ['scope-only-secret'])).toBe(first);
  });
});
