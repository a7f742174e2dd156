// Snowflake Tasks (the monitored platform; the Snowflake store is sinks/store/snowflake.ts): one module.
import { snowflakeTasksCollector } from './collector.js';
import { snowflakeTasksConfig } from './config.js';
import type { PlatformModule } from '../module.js';

export const snowflakeTasks: PlatformModule = {
  platform: 'snowflake',
  collector: snowflakeTasksCollector,
  config: snowflakeTasksConfig,
  capability: {
    apiRead: 'SQL: INFORMATION_SCHEMA.TASK_HISTORY (account-wide, once per window) and SHOW TASKS',
    retries: 'automatic retries of one scheduled slot keyed by attempt; the last one final',
    errorText: 'ERROR_CODE and ERROR_MESSAGE; never the query text',
    historyKept: '7 days',
  },
};
export { snowflakeTasksCollector, snowflakeTasksScopeSchema, type SnowflakeTasksScope, type SnowflakeTasksScopeInput } from './collector.js';
export { describeMonitoredDatabases, type MonitoredDatabase } from './identifiers.js';
