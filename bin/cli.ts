// The CLI: a thin shell over the library. One top-level handler maps typed errors to exit codes; stdout carries
// only what was asked for (--json, the summary); logs go to stderr. bin/pipeline-audit.ts checks the Node version
// and then loads this file.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { ConfigError, LeaseError, PipelineAuditError, SchemaVersionError, errorMessage } from '../errors.js';
import { redact } from '../normalize/redact.js';
import { TOOL_VERSION } from '../normalize/constants.js';
import { UsageError, parseCommandLine } from './args.js';
import { EXIT, LOG_LEVELS, helpText } from './cli-text.js';
import type { CommonOptions } from './run.js';

// The Snowflake driver probes cloud metadata endpoints when it loads, to fill a telemetry field; the CLI needs none
// of it (a library user decides for their own process).
process.env.SNOWFLAKE_DISABLE_PLATFORM_DETECTION ??= 'true';

/** How long the process may linger after the command has finished (driver retries in the background). */
const LINGER_MS = 5_000;

async function main(argv: readonly string[]): Promise<number> {
  const cl = parseCommandLine(argv, new Date());
  if (cl.version) {
    process.stdout.write(`${TOOL_VERSION}\n`);
    return EXIT.OK;
  }
  if (cl.help) {
    process.stdout.write(helpText(cl.command) + '\n');
    return EXIT.OK;
  }

  // Node's loader never overrides a variable that is already set, even to '': remember what the file holds, so
  // that `config check` can say when an exported empty variable hides one of its values.
  let dotenv: Record<string, string> = {};
  if (existsSync('.env')) {
    dotenv = parseEnv(readFileSync('.env', 'utf8')) as Record<string, string>;
    process.loadEnvFile('.env');
  }
  const envLevel = process.env.PIPELINE_AUDIT_LOG_LEVEL?.trim() || undefined;
  if (!cl.logLevel && envLevel && !(LOG_LEVELS as readonly string[]).includes(envLevel)) {
    throw new ConfigError([{ variable: 'PIPELINE_AUDIT_LOG_LEVEL', message: `'${envLevel}' is not one of ${LOG_LEVELS.join(', ')}` }]);
  }
  const common: CommonOptions = {
    configPath: cl.config,
    platforms: cl.platforms,
    json: cl.json,
    output: cl.output,
    logLevel: cl.logLevel ?? envLevel ?? 'info',
    dotenv,
    now: cl.now,
  };
  const emit = (text: string, report: unknown) => {
    if (common.output) writeFileSync(common.output, JSON.stringify(report, null, 2) + '\n');
    process.stdout.write(common.json ? JSON.stringify(report, null, 2) + '\n' : text + '\n');
  };

  switch (cl.command) {
    case 'run': {
      const { runCommand } = await import('./run.js');
      return runCommand({ ...common, dryRun: cl.dryRun, since: cl.since }, emit);
    }
    case 'demo': {
      const { demoCommand } = await import('./demo.js');
      return demoCommand({ ...common, storePath: cl.store, runs: cl.runs }, emit);
    }
    case 'doctor': {
      const { doctorCommand } = await import('./doctor.js');
      return doctorCommand(common, emit);
    }
    case 'init': {
      const { initCommand } = await import('./run.js');
      return initCommand(common, cl.alertIntegration && cl.alertRecipient ? { integration: cl.alertIntegration, recipient: cl.alertRecipient } : undefined);
    }
    case 'config': {
      const { configCheckCommand } = await import('./run.js');
      return configCheckCommand(common, emit);
    }
    case 'assess': {
      if (!cl.dryRun) throw new UsageError('assess: only --dry-run is offered (a cycle, `pipeline-audit run`, assesses and stores)', 'assess');
      const { assessCommand } = await import('./assess.js');
      return assessCommand(common, emit);
    }
    case 'status': {
      const { statusCommand } = await import('./oncall-status.js');
      return statusCommand(common, emit);
    }
    case 'incidents': {
      const { incidentsCommand } = await import('./oncall-status.js');
      return incidentsCommand({ ...common, all: cl.all, job: cl.job, limit: cl.limit }, emit);
    }
    case 'explain': {
      const { explainCommand } = await import('./oncall-explain.js');
      return explainCommand({ ...common, target: required(cl.target), limit: cl.limit }, emit);
    }
    case 'silence': {
      const { silenceCommand } = await import('./oncall-silence.js');
      return silenceCommand({ ...common, target: required(cl.target), forMs: required(cl.forMs), reason: required(cl.reason), author: cl.author }, emit);
    }
    case 'unsilence': {
      const { unsilenceCommand } = await import('./oncall-silence.js');
      return unsilenceCommand({ ...common, target: required(cl.target) }, emit);
    }
    case 'ack': {
      const { ackCommand } = await import('./oncall-silence.js');
      return ackCommand({ ...common, target: required(cl.target), author: cl.author }, emit);
    }
    case 'quarantine': {
      const { quarantineListCommand, quarantineRetryCommand } = await import('./quarantine.js');
      return cl.subcommand === 'retry' ? quarantineRetryCommand({ ...common, limit: cl.limit }, emit) : quarantineListCommand({ ...common, limit: cl.limit }, emit);
    }
  }
}

/** parseCommandLine has checked it (a missing one is a usage error there). */
function required<T>(v: T | undefined): T {
  if (v === undefined) throw new Error('internal: a required argument was not checked by the parser');
  return v;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.exitCode = exitCodeFor(e);
    // Usage and configuration errors are our own words about variable names, never values: printed as they are
    // (the redaction's `token: x` pattern would mask the name of the variable that needs fixing).
    if (e instanceof UsageError || e instanceof ConfigError) {
      process.stderr.write(`pipeline-audit: ${e.message}\n`);
      return;
    }
    process.stderr.write(`pipeline-audit: ${redact(errorMessage(e))}\n`);
    if (!(e instanceof PipelineAuditError) && process.env.PIPELINE_AUDIT_DEBUG) process.stderr.write(`${(e as Error).stack ?? ''}\n`);
  },
).finally(() => {
  // Everything is written and every store closed by now. snowflake-sdk may still retry a request the cycle gave up
  // on (it offers no way to stop that, and no option to bound it): a scheduled job must not sit on it for a minute
  // and more. The timer does not itself keep the process alive; it only ends one that something else keeps alive.
  setTimeout(() => process.exit(), LINGER_MS).unref();
});

function exitCodeFor(e: unknown): number {
  if (e instanceof UsageError || e instanceof ConfigError) return EXIT.CONFIG;
  if (e instanceof LeaseError || (e instanceof PipelineAuditError && e.kind === 'lease')) return EXIT.LEASE;
  if (e instanceof SchemaVersionError) return EXIT.STORE;
  if (e instanceof PipelineAuditError && e.kind === 'store') return EXIT.STORE;
  return EXIT.INTERNAL;
}
