// Vendors' request budgets (/work/shared/docs/platform-apis.md §1.5, §2.5, §3.6) and a scope's requests in a cycle
// against them. A budget is a number of requests in a window; a cycle no longer than the window spends all its
// requests inside one window (the busiest), a longer one (a backfill) is compared at its average rate. Snowflake
// Tasks are read with SQL: warehouse credits, not a request budget, so it has none.
import type { Platform } from '../normalize/schema.js';

export interface RequestBudget {
  requests: number;
  windowS: number;
  /** Where the figure comes from, and how sure it is. */
  source: string;
}

export const REQUEST_BUDGETS: Readonly<Record<Platform, RequestBudget | null>> = {
  // Dataverse service protection: 6,000 requests per user (the application user) per 300 s sliding window [docs].
  powerautomate: { requests: 6000, windowS: 300, source: 'Dataverse service protection: 6,000 per 5 min per user, documented' },
  // No published workspace-wide number: the Databricks SDKs throttle themselves to 15 requests/s by default [code].
  databricks: { requests: 15 * 300, windowS: 300, source: 'Databricks SDK default client throttle of 15/s; no published limit' },
  // No documented limit; a third-party catalog claims 60 requests/min per workspace [3p, unverified].
  airbyte: { requests: 60 * 5, windowS: 300, source: 'a third-party claim of 60/min per workspace; no documented limit' },
  snowflake: null,
};

export interface BudgetUse {
  platform: Platform;
  scope: string;
  requests: number;
  seconds: number;
  /** The busiest window's requests as a share of the budget (1 = all of it). */
  share: number;
  budget: RequestBudget;
}

/** A scope's requests over `seconds` against its vendor's budget; null for a platform without one. */
export function budgetUse(platform: Platform, scope: string, requests: number, seconds: number): BudgetUse | null {
  const budget = REQUEST_BUDGETS[platform];
  if (!budget) return null;
  const s = Math.max(seconds, 0.001);
  const inWindow = s <= budget.windowS ? requests : (requests / s) * budget.windowS;
  return { platform, scope, requests, seconds: s, share: inWindow / budget.requests, budget };
}

/** Above this share the text report says so: the next cycles (or a backfill) may meet the vendor's 429s. */
export const BUDGET_WARN_SHARE = 0.5;
