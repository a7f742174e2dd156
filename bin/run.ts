// `run`, `init` and `config check`.
import { runCycle } from '../cycle.js';
import { describeMonitoredDatabases, type SnowflakeTasksScope } from '../collectors/snowflake-tasks/index.js';
import { describeConfig, loadConfig, type AuditConfig } from '../config/load.js';
import { variableNotices, type VariableNotice } from '../config/variables.js';
import { TOOL_VERSION, type Platform } from '../normalize/schema.js';
import { openStore } from '../sinks/store/open.js';
import { renderText, type AuditReport } from '../summarize/report.js';
import { EXIT } from './cli-text.js';
import { ConfigError } from '../errors.js';
import { escapeForTerminal } from '../normalize/text.js';
import { routeTeam } from '../summarize/assess/index.js';
import { UNCONFIGURED_RECIPIENT } from '../config/assessment.js';
import { renderStaleCycleAlert } from '../sinks/store/alert.js';
import { createLogger } from './logger.js';
import { createProgress } from './progress.js';
import { maskSecretsInActions, reportToActions } from './actions.js';
import { pingHeartbeat } from '../sinks/heartbeat.js';

export interface CommonOptions {
  configPath: string | undefined;
  platforms: Platform[] | undefined;
  json: boolean;
  output: string | undefined;
  logLevel: string;
  /** The values of the `.env` file that was loaded (empty when none). */
  dotenv: Readonly<Record<string, string>>;
  /** `--now`: the command acts as if it were this instant (replays, tests); undefined: the real clock. */
  now: Date | undefined;
}
export type Emit = (text: string, report: unknown) => void;

/** The configuration; `requireScopes`: nothing to monitor is a configuration error (all but `init`). */
export async function load(o: CommonOptions, requireScopes = true): Promise<AuditConfig> {
  const config = loadConfig(process.env, { configPath: o.configPath, requireScopes, dotenv: o.dotenv, ...(o.platforms ? { platformsOverride: o.platforms } : {}) });
  if (config.store.kind === 'snowflake' || config.enabled.includes('snowflake')) await quietSnowflakeDriver();
  return config;
}

/** Likely misspelled variables, and empty ones hiding a `.env` value: warnings beside a valid configuration. */
export function notices(o: CommonOptions): VariableNotice[] {
  return variableNotices(process.env, o.dotenv);
}

/**
 * The CLI owns its process, so it may set the driver's process-wide settings (a library user's application keeps
 * its own): snowflake-sdk logs INFO lines to stdout by default, and stdout carries only what the user asked for.
 */
export async function quietSnowflakeDriver(): Promise<void> {
  const { default: snowflake } = await import('snowflake-sdk');
  snowflake.configure({ logLevel: 'OFF', additionalLogToConsole: false });
}

export async function runCommand(o: CommonOptions & { dryRun: boolean; since: Date | undefined }, emit: Emit): Promise<number> {
  const config = await load(o);
  // In GitHub Actions every secret value is masked before anything else is printed.
  await maskSecretsInActions({ secrets: config.secrets, env: process.env });
  // A fixed clock (--now) is constant for the whole cycle: elapsed-time logic sees no time pass, as a replay should.
  const fixedNow = o.now;
  const clock = fixedNow ? { now: () => fixedNow } : {};
  const logger = await createLogger(o.logLevel, process.stderr.isTTY === true);
  for (const n of config.notEnabled) logger.info({ platform: n.platform }, `not monitored: ${n.reason}`);
  for (const n of notices(o)) logger.warn({ variable: n.variable }, n.message);
  const progress = createProgress(process.stderr);
  let report: AuditReport;
  try {
    report = await runCycle(config, { ...clock, dryRun: o.dryRun, logger, onProgress: progress.onProgress, ...(o.since ? { since: o.since } : {}), ...(o.platforms ? { platforms: o.platforms } : {}) });
  } finally {
    progress.done();
  }
  emit(renderText(report), report);
  // The job summary and annotations in GitHub Actions; the dead man's switch anywhere it is configured.
  const actions = await reportToActions({ secrets: config.secrets, report, extras: { incidents: report.health?.incidents ?? [], deliveries: report.health?.deliveries ?? [] }, env: process.env });
  if (actions.summaryError) logger.warn({ err: actions.summaryError }, 'could not write the GitHub Actions job summary');
  if (config.heartbeatUrl && !o.dryRun) {
    const beat = await pingHeartbeat(config.heartbeatUrl, report.outcome === 'failed' ? 'fail' : 'ok');
    if (!beat.ok) logger.warn({ err: beat.error, status: beat.status }, 'the heartbeat could not be sent');
  }
  return !o.dryRun && !report.store.ok ? EXIT.STORE : EXIT.OK;
}

export async function initCommand(o: CommonOptions, alert?: { integration: string; recipient: string }): Promise<number> {
  const config = await load(o, false);
  if (alert && config.store.kind !== 'snowflake') throw new ConfigError([{ variable: '--alert-integration', message: 'the ALERT lives in Snowflake: it needs the Snowflake store (the embedded store has the heartbeat URL instead)' }]);
  if (alert && config.store.kind === 'snowflake' && !config.store.settings.warehouse) throw new ConfigError([{ variable: 'SNOWFLAKE_WAREHOUSE', message: 'the ALERT needs a warehouse to run its check on' }]);
  if (alert && config.store.kind === 'snowflake') {
    // Refused before anything runs: names and addresses go into the ALERT's text (Snowflake binds none there).
    try {
      renderStaleCycleAlert({ database: config.store.settings.database, schema: config.store.settings.schema, warehouse: config.store.settings.warehouse!, integration: alert.integration, recipient: alert.recipient });
    } catch (e) {
      throw new ConfigError([{ variable: '--alert-integration / --alert-recipient', message: (e as Error).message }]);
    }
  }
  const store = await openStore(config.store, { queryTag: `pipeline-audit/${TOOL_VERSION} init` });
  try {
    await store.migrate();
    const version = await store.checkSchema();
    process.stdout.write(`audit schema ready (${config.store.kind}, version ${version})\n`);
    if (alert && config.store.kind === 'snowflake') {
      const { SnowflakeStore } = await import('../sinks/store/snowflake.js');
      if (!(store instanceof SnowflakeStore)) throw new Error('the Snowflake store did not open as one');
      await store.installStaleCycleAlert({ warehouse: config.store.settings.warehouse!, integration: alert.integration, recipient: alert.recipient });
      process.stdout.write(`alert installed: e-mails ${alert.recipient} through ${alert.integration} when no cycle has finished for 45 minutes\n`);
    }
  } finally {
    await store.close();
  }
  return EXIT.OK;
}

/** What a scope covers beyond its id: for Snowflake Tasks, the databases and schemas whose task runs are kept. */
function scopeDetail(s: AuditConfig['scopes'][number]): string[] {
  if (s.platform !== 'snowflake') return [];
  return [`          tasks in ${describeMonitoredDatabases((s.scope as SnowflakeTasksScope).databases)}`];
}

export async function configCheckCommand(o: CommonOptions, emit: Emit): Promise<number> {
  const config = await load(o);
  const warnings = notices(o);
  const d = { ...describeConfig(config), warnings };
  const lines = [
    `configuration ok${config.configFile ? ` (file: ${config.configFile})` : ''}`,
    ...config.scopes.flatMap((s) => [`  monitor ${s.platform.padEnd(13)} ${s.scopeId}  (${s.source})`, ...scopeDetail(s)]),
    ...config.notEnabled.map((n) => `  skip    ${n.platform.padEnd(13)} ${n.reason}`),
    `  store   ${config.store.kind === 'duckdb' ? `DuckDB file ${config.store.path}` : `Snowflake ${config.store.settings.account} ${config.store.settings.database}.${config.store.settings.schema}`}`,
    ...warnings.map((w) => `  warning ${w.message}`),
  ];
  const routing = await teamRouting(config);
  lines.push(...routing.lines);
  emit(lines.map(escapeForTerminal).join('\n'), { ...d, teams: routing.teams, delivery: config.delivery ? { transport: config.delivery.transport, outboxDir: config.delivery.outboxDir, from: config.delivery.from } : null, llm: config.llm ? { provider: config.llm.provider, model: config.llm.model } : null });
  return EXIT.OK;
}

/**
 * Which team owns which job: the teams and their recipients, and, when a store already holds the inventory, how
 * the known jobs route (the first team with a matching rule, else the default team).
 */
async function teamRouting(config: AuditConfig): Promise<{ lines: string[]; teams: { name: string; email: string[]; timezone: string | null; jobs: string[] }[] }> {
  const a = config.assessment;
  if (!a) return { lines: [], teams: [] };
  const teams = [...a.teams, a.defaultTeam].map((t) => ({ name: t.name, email: t.email, timezone: t.timezone, jobs: [] as string[] }));
  const lines = [`  mail    ${config.delivery?.transport ?? 'outbox'}${config.delivery?.transport === 'outbox' ? ` (digests written to ${config.delivery.outboxDir})` : ''}; model ${config.llm ? config.llm.model : 'none (deterministic summary)'}`];
  let known = false;
  try {
    const exists = config.store.kind === 'snowflake' || (await import('node:fs')).existsSync(config.store.path);
    if (exists) {
      const store = await openStore(config.store, { readOnly: true, queryTag: `pipeline-audit/${TOOL_VERSION} config-check` });
      try {
        for (const j of await store.readJobs()) {
          if (j.deleted) continue;
          const team = routeTeam(a, { platform: j.platform, scope: j.scope, jobId: j.jobId, jobName: j.name, tags: j.tags });
          teams.find((t) => t.name === team.name)?.jobs.push(`${j.platform} ${j.name ?? j.jobId}`);
        }
        known = true;
      } finally {
        await store.close();
      }
    }
  } catch {
    // The store is optional here: without it, the teams are listed without their jobs.
  }
  for (const t of teams) {
    const who = t.email.filter((e) => e !== UNCONFIGURED_RECIPIENT);
    lines.push(`  team    ${t.name}: ${who.length > 0 ? who.join(', ') : 'no recipients (outbox only; set PIPELINE_AUDIT_NOTIFY_TO)'}${t.timezone ? `, ${t.timezone}` : ''}${known ? `; owns ${t.jobs.length} known job(s)${t.jobs.length > 0 ? `: ${t.jobs.slice(0, 5).join(', ')}${t.jobs.length > 5 ? ', …' : ''}` : ''}` : ''}`);
  }
  if (!known) lines.push('          (the jobs each team owns are listed once a cycle has stored the inventory)');
  return { lines, teams };
}
