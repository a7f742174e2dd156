// The cycle report's text: deterministic, failures newest first, and vendor text that cannot forge lines or
// steer a terminal.
import { describe, expect, it } from '@jest/globals';
import { renderText, summarizeFailed, type AuditReport } from '../../summarize/report.js';
import { at, makeRun } from '../helpers/run-fixtures.js';
import { reportOf } from '../helpers/report-fixtures.js';

function report(failedRuns: AuditReport['failedRuns']): AuditReport {
  return reportOf({
    cycleId: 'c1',
    toolVersion: '0.1.0',
    startedAt: at(0).toISOString(),
    endedAt: at(1).toISOString(),
    totals: { runsSeen: 2, runsWritten: 2, failedRuns: failedRuns.length, warnings: 0, requests: 3 },
    failedRuns,
  });
}

describe('summarizeFailed', () => {
  it('keeps failed final attempts only, newest first, with a one-line error that never splits a character', () => {
    const runs = [
      makeRun({ runId: 'old', status: { category: 'failed', detail: null, raw: 'FAILED' }, startedAt: at(0), errorMessage: `\n${'x'.repeat(199)}\u{1F600} tail\nsecond line` }),
      makeRun({ runId: 'new', status: { category: 'failed', detail: 'timed_out', raw: 'TIMEDOUT' }, startedAt: at(10) }),
      makeRun({ runId: 'retry', status: { category: 'failed', detail: null, raw: 'FAILED' }, isFinalAttempt: false }),
      makeRun({ runId: 'ok' }),
    ];
    const out = summarizeFailed(runs);
    expect(out.map((f) => f.runId)).toEqual(['new', 'old']);
    expect(out[0]!.status).toBe('failed (timed_out)');
    expect(out[1]!.error!.length).toBeLessThanOrEqual(200);
    expect(out[1]!.error!.isWellFormed()).toBe(true);
  });
});

describe('renderText', () => {
  it('escapes line breaks, bidi and C1 controls from vendor text so no line can be forged', () => {
    const [f] = summarizeFailed([makeRun({ runId: 'r', jobName: 'nightly\n    - FORGED LINE \u202Egnp.exe\u009b31m', status: { category: 'failed', detail: null, raw: 'FAILED' }, errorMessage: 'boom \u2028 x' })]);
    const text = renderText(report([f!]));
    const lines = text.split('\n');
    expect(lines.some((l) => l.trimStart().startsWith('- FORGED LINE'))).toBe(false);
    expect(text).not.toMatch(/[\u202e\u009b\u2028]/);
    expect(text).toContain('\\u202e');
    expect(text).toContain('FORGED LINE');
  });

  it('is deterministic for one report', () => {
    const r = report(summarizeFailed([makeRun({ runId: 'a', status: { category: 'failed', detail: null, raw: 'FAILED' } })]));
    expect(renderText(r)).toBe(renderText(structuredClone(r)));
    expect(renderText(r)).toMatch(/pipeline-audit cycle c1 — ok/);
  });
});
