// Vendors' published request budgets (/work/shared/docs/platform-apis.md, "Rate limits"), and a cycle's requests
// against them. A budget is a number of requests in a window; a cycle shorter than the window spends its requests
// inside one window, a longer one is compared at its average rate.
import type { BenchPlatform } from './sim-server.js';

export interface Budget {
  requests: number;
  windowS: number;
  source: string;
}

export const BUDGETS: Record<BenchPlatform, Budget> = {
  // Dataverse service protection: 6,000 requests per user (the application user) per 300 s sliding window.
  powerautomate: { requests: 6000, windowS: 300, source: 'Dataverse service protection, per user (documented)' },
  // No published workspace-wide number: the Databricks SDKs throttle themselves to 15 requests/s by default.
  databricks: { requests: 15 * 300, windowS: 300, source: 'Databricks SDK default client throttle, 15/s (no published limit)' },
  // No documented limit; a third-party catalog claims 60 requests/min per workspace (unverified).
  airbyte: { requests: 60 * 5, windowS: 300, source: 'third-party claim, 60/min per workspace (no documented limit)' },
};

export interface BudgetRow {
  platform: BenchPlatform;
  requests: number;
  seconds: number;
  /** The busiest window's requests, as a share of the budget: the whole cycle when shorter than the window. */
  share: number;
}

export function budgetRow(platform: BenchPlatform, requests: number, seconds: number): BudgetRow {
  const b = BUDGETS[platform];
  const inWindow = seconds <= b.windowS ? requests : (requests / seconds) * b.windowS;
  return { platform, requests, seconds, share: inWindow / b.requests };
}
