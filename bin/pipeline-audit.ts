#!/usr/bin/env node
// The CLI: a thin shell over the library. One top-level handler maps typed errors to exit codes; stdout carries
// only what was asked for (--json, the summary); logs go to stderr.
import { existsSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, LeaseError, PipelineAuditError, SchemaVersionError, errorMessage } from '../errors.js';
import { PLATFORMS, TOOL_VERSION, type Platform } from '../normalize/schema.js';
import { EXIT, HELP, parseSince } from './cli-text.js';

// The Snowflake driver probes cloud metadata endpoints when it loads, to fill a telemetry field; the CLI needs none
// of it (a library user decides for their own process).
process.env.SNOWFLAKE_DISABLE_PLATFORM_DETECTION ??= 'true';

const argv = process.argv.slice(2);

async function main(): Promise<number> {
  const command = argv[0] && !argv[0].startsWith('-') ? argv[0] : 'run';
  const rest = command === argv[0] ? argv.slice(1) : argv;
  const sub = command === 'config' ? rest[0] : undefined;
  const args = command === 'config' ? rest.slice(1) : rest;
  const { values } = parseArgs({
    args,
    allowPositionals: false,
    options: {
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean' },
      platform: { type: 'string', multiple: true },
      since: { type: 'string' },
      'dry-run': { type: 'boolean' },
      json: { type: 'boolean' },
      output: { type: 'string', short: 'o' },
      config: { type: 'string', short: 'c' },
      'log-level': { type: 'string' },
      store: { type: 'string' },
      runs: { type: 'string' },
    },
  });
  if (values.version) {
    process.stdout.write(`${TOOL_VERSION}\n`);
    return EXIT.OK;
  }
  const helpKey = command === 'config' ? 'config' : command;
  if (values.help || !(helpKey in HELP)) {
    const known = helpKey in HELP;
    (known ? process.stdout : process.stderr).write(HELP[known ? helpKey : 'run']! + '\n');
    if (!known) process.stderr.write(`\nUnknown command '${command}'.\n`);
    return known ? EXIT.OK : EXIT.CONFIG;
  }
  if (command === 'config' && sub !== 'check') {
    process.stderr.write(`${HELP.config}\n\nUnknown or missing subcommand: 'config ${sub ?? ''}'.\n`);
    return EXIT.CONFIG;
  }

  if (existsSync('.env')) process.loadEnvFile('.env');
  const platforms = values.platform?.flatMap((p) => p.split(',')).map((p) => p.trim().toLowerCase()).filter(Boolean);
  for (const p of platforms ?? []) {
    if (!(PLATFORMS as readonly string[]).includes(p)) throw new ConfigError([{ variable: '--platform', message: `unknown platform '${p}' (known: ${PLATFORMS.join(', ')})` }]);
  }
  const common = {
    configPath: values.config,
    platforms: platforms as Platform[] | undefined,
    json: values.json ?? false,
    output: values.output,
    logLevel: values['log-level'] ?? process.env.PIPELINE_AUDIT_LOG_LEVEL ?? 'info',
  };
  const emit = (text: string, report: unknown) => {
    if (common.output) writeFileSync(common.output, JSON.stringify(report, null, 2) + '\n');
    process.stdout.write(common.json ? JSON.stringify(report, null, 2) + '\n' : text + '\n');
  };

  switch (command) {
    case 'run': {
      const { runCommand } = await import('./run.js');
      return runCommand({ ...common, dryRun: values['dry-run'] ?? false, since: values.since ? parseSince(values.since, new Date()) : undefined }, emit);
    }
    case 'demo': {
      const { demoCommand } = await import('./demo.js');
      return demoCommand({ ...common, storePath: values.store, runs: values.runs ? Number(values.runs) : undefined }, emit);
    }
    case 'doctor': {
      const { doctorCommand } = await import('./doctor.js');
      return doctorCommand(common, emit);
    }
    case 'init': {
      const { initCommand } = await import('./run.js');
      return initCommand(common);
    }
    case 'config': {
      const { configCheckCommand } = await import('./run.js');
      return configCheckCommand(common, emit);
    }
  }
  return EXIT.INTERNAL;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.exitCode = exitCodeFor(e);
    process.stderr.write(`pipeline-audit: ${errorMessage(e)}\n`);
    if (!(e instanceof PipelineAuditError) && process.env.PIPELINE_AUDIT_DEBUG) process.stderr.write(`${(e as Error).stack ?? ''}\n`);
  },
);

function exitCodeFor(e: unknown): number {
  if (e instanceof ConfigError) return EXIT.CONFIG;
  if (e instanceof LeaseError) return EXIT.LEASE;
  if (e instanceof SchemaVersionError) return EXIT.STORE;
  if (e instanceof PipelineAuditError && e.kind === 'store') return EXIT.STORE;
  if ((e as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || (e as { code?: string }).code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') return EXIT.CONFIG;
  return EXIT.INTERNAL;
}
