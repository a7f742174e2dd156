// The benchmark's budget table: each platform's requests in a phase against its vendor's budget
// (summarize/budgets.ts, the same figures the cycle's report uses).
import { REQUEST_BUDGETS, budgetUse, type RequestBudget } from '../summarize/budgets.js';
import type { BenchPlatform } from './sim-server.js';

export type Budget = RequestBudget;

export const BUDGETS: Record<BenchPlatform, Budget> = {
  powerautomate: REQUEST_BUDGETS.powerautomate!,
  databricks: REQUEST_BUDGETS.databricks!,
  airbyte: REQUEST_BUDGETS.airbyte!,
};

export interface BudgetRow {
  platform: BenchPlatform;
  requests: number;
  seconds: number;
  /** The busiest window's requests, as a share of the budget: the whole cycle when shorter than the window. */
  share: number;
}

export function budgetRow(platform: BenchPlatform, requests: number, seconds: number): BudgetRow {
  return { platform, requests, seconds, share: budgetUse(platform, '', requests, seconds)!.share };
}
