// Simulated Snowflake account for the demo: the emulator with 8 tasks over 5 days of history.
import { startSnowflakeEmulator } from '../snowflake/emulator.js';
import { generateSnowflakeTaskData } from '../snowflake-tasks-data.js';
import type { StartDemo } from './types.js';

const PASSWORD = 'demo-password';

export const startDemo: StartDemo = async ({ now, runs }) => {
  const snowflake = await startSnowflakeEmulator({ account: 'demo-account', users: { demo: PASSWORD } });
  const tasks = generateSnowflakeTaskData({ now, seed: 404, tasks: 8, runs, days: 5 });
  // The history is spread evenly, not on each task's schedule: with the schedules kept every task would be "missed".
  // The demo's tasks are the children of a graph (run after their predecessor), which have no schedule of their own.
  await snowflake.seedTasks(tasks.tasks.map((t) => ({ ...t, schedule: null })), tasks.history);
  return {
    scope: { connection: { account: snowflake.account, username: 'demo', password: PASSWORD, accessUrl: snowflake.accessUrl, loginRetries: 0 }, databases: ['ETL'] },
    secrets: [PASSWORD],
    close: () => snowflake.close(),
  };
};
