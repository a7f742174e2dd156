// `demo`: the main job on the embedded default, against simulated platforms on 127.0.0.1. The real collectors,
// the real cycle and the real DuckDB store; no network and no credentials. The simulated data is anchored to the
// current hour and seeded, so a second demo within the hour sees the same runs (and the stored count stays put;
// across the hour the same runs shift an hour and are updated, not added).
import { resolve } from 'node:path';
import type { AuditConfig, ScopeConfig } from '../config.js';
import { generateAirbyteData } from '../collectors/sim/airbyte-data.js';
import { startAirbyteSimulator } from '../collectors/sim/airbyte.js';
import { generateDatabricksData } from '../collectors/sim/databricks-data.js';
import { startDatabricksSimulator } from '../collectors/sim/databricks.js';
import { generateDataverseData } from '../collectors/sim/dataverse-data.js';
import { startDataverseSimulator } from '../collectors/sim/dataverse.js';
import { startEntraSimulator } from '../collectors/sim/entra.js';
import { generateSnowflakeTaskData } from '../collectors/sim/snowflake-tasks-data.js';
import { startSnowflakeEmulator } from '../sinks/snowflake/emulator.js';
import { collectorFor } from '../collectors/registry.js';
import { TOOL_VERSION } from '../normalize/schema.js';
import { openStore } from '../sinks/open.js';
import { renderText } from '../summarize/report.js';
import { EXIT } from './cli-text.js';
import { createLogger } from './logger.js';
import { quietSnowflakeDriver, runCycle, type CommonOptions, type Emit } from './run.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const DEMO_KEY = 'demo-airbyte-key';

export async function demoCommand(o: CommonOptions & { storePath: string | undefined; runs: number | undefined }, emit: Emit): Promise<number> {
  const runs = o.runs && Number.isFinite(o.runs) && o.runs > 0 ? Math.floor(o.runs) : 300;
  const now = new Date(Math.floor(Date.now() / HOUR) * HOUR);
  const storePath = resolve(o.storePath ?? 'pipeline-audit-demo.duckdb');
  const closers: (() => Promise<void>)[] = [];
  try {
    const dbx = await startDatabricksSimulator({ data: { jobs: [], runs: [] } });
    closers.push(() => dbx.close());
    dbx.setData(generateDatabricksData({ now, seed: 101, jobs: 24, runs, days: 7, host: dbx.url }));

    const airbyte = await startAirbyteSimulator({ data: generateAirbyteData({ now, seed: 202, connections: 12, jobs: runs, days: 7 }), apiKey: DEMO_KEY });
    closers.push(() => airbyte.close());

    const entra = await startEntraSimulator();
    closers.push(() => entra.close());
    const dataverse = await startDataverseSimulator({ data: generateDataverseData({ now, seed: 303, flows: 10, runs, days: 7 }) });
    closers.push(() => dataverse.close());

    await quietSnowflakeDriver();
    const snowflake = await startSnowflakeEmulator({ account: 'demo-account', users: { demo: 'demo-password' } });
    closers.push(() => snowflake.close());
    const tasks = generateSnowflakeTaskData({ now, seed: 404, tasks: 8, runs, days: 5 });
    await snowflake.seedTasks(tasks.tasks, tasks.history);

    // The simulators listen on ports chosen by the OS; the scopes get stable names instead, so that a second demo
    // run recognizes the runs it stored the first time.
    const scope = (platform: ScopeConfig['platform'], raw: unknown): ScopeConfig => {
      const parsed = collectorFor(platform).scopeSchema.parse(raw);
      return { platform, scope: parsed, scopeId: `demo-${platform}.example`, source: 'demo' };
    };
    const config: AuditConfig = {
      scopes: [
        scope('databricks', { host: dbx.url, token: 'demo-databricks-token' }),
        scope('airbyte', { baseUrl: airbyte.url, apiKey: DEMO_KEY, workspaceIds: [], webUrl: 'https://cloud.airbyte.com', configApiUrl: airbyte.configApiUrl }),
        scope('powerautomate', {
          environmentUrl: dataverse.url,
          environmentId: 'Default-demo-environment',
          tenantId: entra.tenantId,
          clientId: entra.clientId,
          clientSecret: entra.clientSecret,
          authorityHost: entra.authorityHost,
          authorityCaPem: entra.caPem,
        }),
        scope('snowflake', { connection: { account: snowflake.account, username: 'demo', password: 'demo-password', accessUrl: snowflake.accessUrl, loginRetries: 0 }, databases: ['ETL'] }),
      ],
      enabled: ['airbyte', 'databricks', 'powerautomate', 'snowflake'],
      notEnabled: [],
      store: { kind: 'duckdb', path: storePath },
      initialLookbackMs: 6 * DAY,
      cycleTimeoutMs: 5 * 60_000,
      limits: { maxPages: 10_000, maxDetailRequests: 200 },
      http: { retries: 2, minDelayMs: 50, maxDelayMs: 500 },
      secrets: [entra.clientSecret, DEMO_KEY, 'demo-password'],
      configFile: null,
    };
    const logger = await createLogger(o.logLevel === 'info' ? 'warn' : o.logLevel, process.stderr.isTTY === true);
    // Every demo re-reads the simulated week (as `--since 6d` would), so each run shows the failures; the keyed
    // MERGE is what keeps the stored count unchanged.
    const report = await runCycle(config, { dryRun: false, logger, since: new Date(Date.now() - config.initialLookbackMs) });
    const store = await openStore(config.store, { readOnly: true, queryTag: `pipeline-audit/${TOOL_VERSION} demo` });
    let storedRuns: number;
    try {
      storedRuns = await store.countRuns();
    } finally {
      await store.close();
    }
    const text = `${renderText(report)}\n\nStored runs: ${storedRuns} in ${storePath} (run the demo again: the count stays the same).`;
    emit(text, { storedRuns, store: storePath, report });
    return report.store.ok ? EXIT.OK : EXIT.STORE;
  } finally {
    for (const close of closers.reverse()) await close().catch(() => undefined);
  }
}
