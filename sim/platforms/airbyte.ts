// Simulated Airbyte instance for the demo: 12 connections over 7 days, failure reasons on the configuration API.
import { generateAirbyteData } from '../airbyte-data.js';
import { startAirbyteSimulator } from '../airbyte.js';
import type { StartDemo } from './types.js';

const KEY = 'demo-airbyte-key';

export const startDemo: StartDemo = async ({ now, runs }) => {
  const data = generateAirbyteData({ now, seed: 202, connections: 12, jobs: runs, days: 7 });
  // Random run times against real schedules would make every schedule "missed": the demo's syncs run manually.
  for (const c of data.connections) c.schedule = { scheduleType: 'manual' };
  const airbyte = await startAirbyteSimulator({ data, apiKey: KEY });
  return {
    scope: { baseUrl: airbyte.url, apiKey: KEY, workspaceIds: [], webUrl: 'https://cloud.airbyte.com', configApiUrl: airbyte.configApiUrl },
    secrets: [KEY],
    close: () => airbyte.close(),
  };
};
