import { describe, expect, it } from '@jest/globals';
import { errorMessage, StoreError } from '../errors.js';

describe('errorMessage', () => {
  it('follows the cause chain, each cause once', () => {
    const root = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    const fetchError = new TypeError('fetch failed', { cause: root });
    expect(errorMessage(new StoreError('could not reach the store', { cause: fetchError }))).toBe('could not reach the store: fetch failed: connect ECONNREFUSED 127.0.0.1:1');
    expect(errorMessage(new Error('fetch failed: connect ECONNREFUSED 127.0.0.1:1', { cause: root }))).toBe('fetch failed: connect ECONNREFUSED 127.0.0.1:1');
  });

  it('names the errors of an AggregateError and the code of a message-less error', () => {
    const agg = new AggregateError([Object.assign(new Error(''), { code: 'ETIMEDOUT' }), new Error('connect ENETUNREACH ::1')], '');
    expect(errorMessage(new TypeError('fetch failed', { cause: agg }))).toBe('fetch failed: ETIMEDOUT; connect ENETUNREACH ::1');
    expect(errorMessage('plain')).toBe('plain');
  });

  it('masks a password in a URL anywhere in the chain', () => {
    const e = new Error('login failed', { cause: new Error('cannot open postgres://svc:hunter2-secret@db.internal/x') });
    expect(errorMessage(e)).toBe('login failed: cannot open postgres://svc:[REDACTED]@db.internal/x');
  });
});
