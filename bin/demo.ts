// `demo`: the main job on the embedded default, against simulated platforms on 127.0.0.1. The real collectors,
// the real cycle and the real DuckDB store; no network and no credentials. Every platform in the registry brings
// its simulator (sim/platforms/<platform>.ts). The simulated data is anchored to the current hour and seeded, so a
// second demo within the hour sees the same runs (and the stored count stays put).
import { dirname, resolve } from 'node:path';
import type { AuditConfig, ScopeConfig } from '../config/load.js';
import { PLATFORM_MODULES } from '../collectors/registry.js';
import { runCycle } from '../cycle.js';
import { PLATFORMS, TOOL_VERSION, type Platform } from '../normalize/schema.js';
import { openStore } from '../sinks/store/open.js';
import { renderText } from '../summarize/report.js';
import { AssessConfigSchema } from '../summarize/assess/index.js';
import type { LlmConfig } from '../summarize/llm/provider.js';
import { readLlmConfig } from '../config/assessment.js';
import { envSource } from '../config/source.js';
import type { DemoPlatform, StartDemo } from '../sim/platforms/types.js';
import { DEMO_NEXT_STEPS, EXIT } from './cli-text.js';
import { createLogger } from './logger.js';
import { quietSnowflakeDriver, type CommonOptions, type Emit } from './run.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export async function demoCommand(o: CommonOptions & { storePath: string | undefined; runs: number | undefined }, emit: Emit): Promise<number> {
  const runs = o.runs ?? 300;
  const now = new Date(Math.floor(Date.now() / HOUR) * HOUR);
  const storePath = resolve(o.storePath ?? 'pipeline-audit-demo.duckdb');
  const started: { platform: Platform; demo: DemoPlatform }[] = [];
  try {
    await quietSnowflakeDriver();
    for (const platform of PLATFORMS) {
      const { startDemo } = (await import(`../sim/platforms/${platform}.js`)) as { startDemo: StartDemo };
      started.push({ platform, demo: await startDemo({ now, runs }) });
    }
    // The simulators listen on ports chosen by the OS; the scopes get stable names instead, so that a second demo
    // run recognizes the runs it stored the first time.
    const scopes: ScopeConfig[] = started.map(({ platform, demo }) => ({
      platform,
      scope: PLATFORM_MODULES[platform].collector.scopeSchema.parse(demo.scope),
      scopeId: `demo-${platform}.example`,
      source: 'demo',
    }));
    const config: AuditConfig = {
      scopes,
      enabled: [...PLATFORMS],
      notEnabled: [],
      store: { kind: 'duckdb', path: storePath },
      initialLookbackMs: 6 * DAY,
      cycleTimeoutMs: 5 * 60_000,
      limits: { maxPages: 10_000, maxDetailRequests: 200 },
      http: { retries: 2, minDelayMs: 50, maxDelayMs: 500 },
      secrets: started.flatMap((s) => s.demo.secrets),
      configFile: null,
      // Two teams, to show routing: the integration team owns the flows and syncs, the data team the rest.
      assessment: AssessConfigSchema.parse({
        teams: [{ name: 'integration', email: ['integration@example.com'], timezone: 'America/New_York', match: [{ platform: 'powerautomate' }, { platform: 'airbyte' }] }],
        defaultTeam: { name: 'data-support', email: ['data-support@example.com'], timezone: 'Europe/Berlin' },
      }),
      // A model only when one is configured (LLM_API_KEY and LLM_MODEL); otherwise the deterministic summary.
      llm: llmFromEnv(),
      delivery: { transport: 'outbox', outboxDir: resolve(dirname(storePath), 'pipeline-audit-demo-outbox'), from: 'pipeline-audit-demo@example.com', notifyTo: [], allClearHour: null },
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
    // The links point at the simulators: marked in the text (the JSON keeps the data as stored).
    const marked = { ...report, failedRuns: report.failedRuns.map((f) => ({ ...f, url: f.url ? `${f.url}  (simulated link)` : null })) };
    const again = report.health && report.health.plan.length === 0 ? ' Nothing new to tell anyone this time: every team already has this news.' : ' Run it again: nothing new is planned the second time.';
    const text = `${renderText(marked)}\n\nStored runs: ${storedRuns} in ${storePath} (run the demo again: the count stays the same).${again}\n\n${DEMO_NEXT_STEPS}`;
    emit(text, { storedRuns, store: storePath, report });
    return report.store.ok ? EXIT.OK : EXIT.STORE;
  } finally {
    for (const { demo } of started.reverse()) await demo.close().catch(() => undefined);
  }
}

/** The model when one is configured (LLM_API_KEY and LLM_MODEL), read as `run` reads it; a bad setting is ignored here. */
function llmFromEnv(): LlmConfig | null {
  return readLlmConfig(envSource(process.env, []), []);
}
