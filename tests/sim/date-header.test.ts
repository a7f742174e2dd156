// The fakes stamp `Date` from their own clock, as a vendor's server does: a cycle test with an injected clock sees
// no skew when the fake shares it, and the skew a wrong local clock would show when it does not.
import { describe, expect, it } from '@jest/globals';
import { createHttpClient } from '../../connect/http.js';
import { staticToken } from '../../connect/tokens.js';
import { startAirbyteSimulator } from '../../sim/airbyte.js';
import { generateAirbyteData } from '../../sim/airbyte-data.js';
import { startDatabricksSimulator } from '../../sim/databricks.js';
import { startDataverseSimulator } from '../../sim/dataverse.js';
import { generateDataverseData } from '../../sim/dataverse-data.js';

const NOW = new Date('2026-11-23T12:00:00Z');
const AHEAD = new Date(NOW.getTime() + 30 * 86_400_000);

async function skewAgainst(vendorNow: Date): Promise<(number | null)[]> {
  const now = () => vendorNow;
  const dbx = await startDatabricksSimulator({ data: { jobs: [], runs: [] }, token: 'dapi-date-test-token', now });
  const ab = await startAirbyteSimulator({ data: generateAirbyteData({ now: NOW, seed: 1, jobs: 5, days: 1 }), apiKey: 'ab-date-test-key', now });
  const dv = await startDataverseSimulator({ data: generateDataverseData({ now: NOW, seed: 1, flows: 2, runs: 5, days: 1 }), now });
  const out: (number | null)[] = [];
  try {
    for (const [url, token] of [
      [`${dbx.url}/api/2.2/jobs/list`, 'dapi-date-test-token'],
      [`${ab.url}/workspaces`, 'ab-date-test-key'],
      [`${dv.apiUrl}/workflows?$select=workflowid`, 'any-token'],
    ] as const) {
      const c = createHttpClient({ signal: new AbortController().signal, now: () => NOW, options: { retries: 0 } });
      await c.request({ url, auth: staticToken(token) });
      out.push(c.stats.clockSkewMs);
      await c.close();
    }
  } finally {
    await Promise.all([dbx.close(), ab.close(), dv.close()]);
  }
  return out;
}

describe('fakes stamp Date from their clock', () => {
  it('shows no skew when the fake shares the injected clock', async () => {
    expect(await skewAgainst(NOW)).toEqual([0, 0, 0]);
  });

  it('shows a local clock 30 days behind when the fakes run 30 days ahead', async () => {
    expect(await skewAgainst(AHEAD)).toEqual([-30 * 86_400_000, -30 * 86_400_000, -30 * 86_400_000]);
  });
});
