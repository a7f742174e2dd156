// The failed-run line labels the vendor's status detail and leaves out an error class that names success.
import { describe, expect, it } from '@jest/globals';
import { renderText, type AuditReport, type FailedRunSummary } from '../../summarize/report.js';
import { reportOf } from '../helpers/report-fixtures.js';

const failed = (over: Partial<FailedRunSummary>): FailedRunSummary => ({
  platform: 'databricks',
  scope: 'ws',
  jobId: 'j',
  jobName: 'hourly_customers_etl',
  runId: 'r',
  status: 'failed (success_with_failures)',
  startedAt: '2026-12-01T11:00:00.000Z',
  endedAt: null,
  errorClass: 'SUCCESS',
  error: null,
  url: null,
  ...over,
});

const report = (runs: FailedRunSummary[]): AuditReport => reportOf({ totals: { runsSeen: 1, runsWritten: 1, failedRuns: runs.length, warnings: 0, requests: 0 }, failedRuns: runs });

describe('failed-run status in the text report', () => {
  it('never shows a failure beside SUCCESS, and names the vendor detail', () => {
    const text = renderText(report([failed({}), failed({ status: 'failed (run_execution_error)', errorClass: 'CLIENT_ERROR' }), failed({ status: 'failed', errorClass: null })]));
    expect(text).toContain('| failed, vendor status success_with_failures\n');
    expect(text).not.toMatch(/SUCCESS\b/);
    expect(text).toContain('| failed, vendor status run_execution_error | error CLIENT_ERROR');
    expect(text).toMatch(/\| failed$/m);
  });
});
