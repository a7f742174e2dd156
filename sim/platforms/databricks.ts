// Simulated Databricks workspace for the demo: 24 jobs over 7 days.
import { generateDatabricksData } from '../databricks-data.js';
import { startDatabricksSimulator } from '../databricks.js';
import type { StartDemo } from './types.js';

export const startDemo: StartDemo = async ({ now, runs }) => {
  const dbx = await startDatabricksSimulator({ data: { jobs: [], runs: [] } });
  dbx.setData(generateDatabricksData({ now, seed: 101, jobs: 24, runs, days: 7, host: dbx.url }));
  return { scope: { host: dbx.url, token: 'demo-databricks-token' }, secrets: ['demo-databricks-token'], close: () => dbx.close() };
};
