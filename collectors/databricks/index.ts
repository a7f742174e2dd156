// Databricks Jobs: everything about the platform in one module (collector, configuration, capability).
import { databricksCollector } from './collector.js';
import { databricksConfig } from './config.js';
import type { PlatformModule } from '../module.js';

export const databricks: PlatformModule = {
  platform: 'databricks',
  collector: databricksCollector,
  config: databricksConfig,
  capability: {
    apiRead: 'Jobs API 2.2 jobs/runs/list, runs/get for truncated tasks, jobs/list',
    retries: 'each retry is its own run, grouped by original_attempt_run_id',
    errorText: "the failed task's state message, head and tail kept",
    historyKept: 'about 60 days through the API',
  },
};
export { databricksCollector, databricksScopeSchema, type DatabricksScope } from './collector.js';
