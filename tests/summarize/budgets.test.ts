// A scope's requests against its vendor's request budget: in the JSON report, and in the text when near it.
import { describe, expect, it } from '@jest/globals';
import { budgetUse, REQUEST_BUDGETS } from '../../summarize/budgets.js';
import { renderText, type ScopeReport } from '../../summarize/report.js';
import { reportOf, scopeReportOf } from '../helpers/report-fixtures.js';

const scope = (platform: ScopeReport['platform'], requests: number): ScopeReport => scopeReportOf(platform, { requests });

describe('request budgets', () => {
  it('a cycle shorter than the window spends all its requests in one window; a longer one its average rate', () => {
    expect(budgetUse('powerautomate', 'env', 3000, 20)!.share).toBeCloseTo(0.5);
    expect(budgetUse('airbyte', 'ws', 397, 24)!.share).toBeCloseTo(397 / 300);
    // 9,000 requests over 600 s: 4,500 in any 300 s window at that rate.
    expect(budgetUse('databricks', 'ws', 9000, 600)!.share).toBeCloseTo(1);
    expect(budgetUse('snowflake', 'acct', 10, 1)).toBeNull();
    expect(REQUEST_BUDGETS.powerautomate!.requests).toBe(6000);
  });

  it('the text report shows each scope\'s share and warns near the budget', () => {
    const scopes = [scope('airbyte', 397), scope('powerautomate', 3), scope('snowflake', 0)];
    const report = reportOf({
      scopes,
      totals: { runsSeen: 0, runsWritten: 0, failedRuns: 0, warnings: 0, requests: 400 },
      budgets: [budgetUse('airbyte', 'airbyte-scope', 397, 24)!, budgetUse('powerautomate', 'powerautomate-scope', 3, 1)!],
    });
    const text = renderText(report);
    expect(text).toMatch(/airbyte-scope .*requests 397 \(132 % of the vendor's budget\)/);
    expect(text).toContain('request budget: 397 requests in 24 s, 132 % of 300 per 300 s');
    expect(text).toMatch(/powerautomate-scope .*requests 3 \(0\.1 % of the vendor's budget\)/);
    expect(text.match(/request budget:/g)).toHaveLength(1);
    expect(text).toMatch(/snowflake-scope .*requests 0$/m);
  });
});
