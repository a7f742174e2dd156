// Simulated Power Automate environment for the demo: Dataverse with 10 flows over 7 days, and its Entra ID.
import { generateDataverseData } from '../dataverse-data.js';
import { startDataverseSimulator } from '../dataverse.js';
import { startEntraSimulator } from '../entra.js';
import type { StartDemo } from './types.js';

export const startDemo: StartDemo = async ({ now, runs }) => {
  const entra = await startEntraSimulator();
  const dataverse = await startDataverseSimulator({ data: generateDataverseData({ now, seed: 303, flows: 10, runs, days: 7 }) }).catch(async (e: unknown) => {
    await entra.close();
    throw e;
  });
  return {
    scope: {
      environmentUrl: dataverse.url,
      environmentId: 'Default-demo-environment',
      tenantId: entra.tenantId,
      clientId: entra.clientId,
      clientSecret: entra.clientSecret,
      authorityHost: entra.authorityHost,
      authorityCaPem: entra.caPem,
    },
    secrets: [entra.clientSecret],
    close: async () => {
      await dataverse.close();
      await entra.close();
    },
  };
};
