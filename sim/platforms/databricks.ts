// Simulated Databricks workspace for the demo: 24 jobs over 7 days.
import { generateDatabricksData } from '../databricks-data.js';
import { startDatabricksSimulator } from '../databricks.js';
import type { StartDemo } from './types.js';

export const startDemo: StartDemo = async ({ now, runs }) => {
  const dbx = await startDatabricksSimulator({ data: { jobs: [], runs: [] } });
  // Run links on a stable example host, not the simulator's port: a second demo then stores the same runs
  // unchanged (the demo marks the links as simulated).
  const data = generateDatabricksData({ now, seed: 101, jobs: 24, runs, days: 7, host: 'https://demo-databricks.example' });
  // The generator spreads runs at random over the week, whatever a job's schedule says: kept, every schedule would be
  // "missed". The demo keeps one, so the week shows one missed schedule among the failures, as a real one might.
  let kept = 0;
  for (const job of data.jobs) {
    const settings = job.settings as Record<string, unknown> | undefined;
    if (settings?.schedule && kept++ > 0) delete settings.schedule;
  }
  dbx.setData(data);
  return { scope: { host: dbx.url, token: 'demo-databricks-token' }, secrets: ['demo-databricks-token'], close: () => dbx.close() };
};
