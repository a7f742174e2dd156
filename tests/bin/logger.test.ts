// Readable log lines on a terminal escape what a vendor string could do to it: C0 and C1 controls (ESC, CSI),
// line breaks that forge a line, bidi overrides and isolates.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { createLogger } from '../../bin/logger.js';
import { escapeForTerminal } from '../../bin/terminal-text.js';

const HOSTILE = 'job\nFORGED LINE \u009b31m red \u001b[2J \u202eevil\u202c \u2066iso\u2069 \u2028sep';

describe('terminal text', () => {
  it('escapes controls, bidi and line-breaking characters visibly and keeps the rest', () => {
    expect(escapeForTerminal(HOSTILE)).toBe('job\\nFORGED LINE \\u009b31m red \\u001b[2J \\u202eevil\\u202c \\u2066iso\\u2069 \\u2028sep');
    expect(escapeForTerminal('Postgres → BigQuery ✓ 数据')).toBe('Postgres → BigQuery ✓ 数据');
  });

  it('the pretty logger escapes the message and every field', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString()));
    const log = await createLogger('info', true, out);
    log.warn({ status: HOSTILE, nested: { name: HOSTILE } }, `status ${HOSTILE}`);
    await new Promise((r) => setImmediate(r));
    expect(text).toContain('FORGED LINE');
    // eslint-disable-next-line no-control-regex
    expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/);
    expect(text).toContain('\\u009b31m');
    expect(text.split('\n').filter((l) => l.startsWith('FORGED'))).toEqual([]);
  });
});
