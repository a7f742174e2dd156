import { describe, expect, it } from '@jest/globals';
import { headTail, redact, redactDeep, safeUrl } from '../../normalize/redact.js';

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
