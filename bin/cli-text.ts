// Exit codes, options and help texts of the CLI, kept in one place (the README quotes them). Each command has its
// own option set: an option of another command is a usage error, never silently ignored.
import { MINIMUM_NODE } from './node-version.js';

/**
 * 0 when the cycle ran, even if platforms failed: they are reported as blind spots, and a red workflow every 15
 * minutes during a vendor outage teaches people to mute it. Non-zero only when the monitor itself is broken.
 */
export const EXIT = {
  OK: 0,
  INTERNAL: 1,
  /** Configuration or usage error, nothing to monitor, or a Node older than MINIMUM_NODE. */
  CONFIG: 2,
  STORE: 3,
  LEASE: 4,
  /** doctor only: a scope or the store failed its check. */
  DOCTOR_FINDINGS: 5,
} as const;

export const COMMANDS = ['run', 'demo', 'doctor', 'init', 'config', 'assess', 'status', 'incidents', 'explain', 'silence', 'unsilence', 'ack', 'quarantine'] as const;
export type Command = (typeof COMMANDS)[number];

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** The option with its argument, as the help shows it. */
  usage: string;
  help: string;
}

export const OPTIONS = {
  platform: { type: 'string', multiple: true, usage: '--platform NAME[,NAME]', help: 'only these platforms (airbyte, databricks, powerautomate, snowflake); repeatable' },
  since: { type: 'string', usage: '--since WHEN', help: 're-read from WHEN: an ISO time (2026-11-20T00:00Z) or a duration ago (90m, 6h, 3d)' },
  'dry-run': { type: 'boolean', usage: '--dry-run', help: 'collect and report, write nothing, send nothing' },
  store: { type: 'string', usage: '--store FILE', help: 'DuckDB file to store into (default ./pipeline-audit-demo.duckdb)' },
  runs: { type: 'string', usage: '--runs N', help: 'simulated runs per platform, a positive integer (default 300)' },
  config: { type: 'string', short: 'c', usage: '-c, --config FILE', help: 'JSON config file (default: PIPELINE_AUDIT_CONFIG or ./pipeline-audit.config.json)' },
  json: { type: 'boolean', usage: '--json', help: 'print the result as JSON on stdout instead of text' },
  output: { type: 'string', short: 'o', usage: '-o, --output FILE', help: 'also write the JSON result to FILE' },
  'log-level': { type: 'string', usage: '--log-level LEVEL', help: `${LOG_LEVELS.join(' | ')} (default info, or PIPELINE_AUDIT_LOG_LEVEL; logs go to stderr)` },
  now: { type: 'string', usage: '--now INSTANT', help: 'act as if it were INSTANT, an ISO time with a zone (2026-11-20T08:00Z): replays and tests' },
  all: { type: 'boolean', usage: '--all', help: 'resolved incidents too (default: open only)' },
  job: { type: 'string', usage: '--job GLOB', help: 'only jobs whose id or name matches GLOB (* and ?, case-insensitive)' },
  limit: { type: 'string', usage: '--limit N', help: 'at most N rows, a whole number from 1 to 10000' },
  for: { type: 'string', usage: '--for DURATION', help: 'how long: 30m, 4h, 2d (at most 30d)' },
  reason: { type: 'string', usage: '--reason TEXT', help: 'why (required; shown to whoever looks next)' },
  author: { type: 'string', usage: '--author NAME', help: 'who (default: GITHUB_ACTOR, else USER, else cli)' },
  'alert-integration': { type: 'string', usage: '--alert-integration NAME', help: 'Snowflake store: install an ALERT that e-mails through this notification integration when no cycle has finished for 45 minutes' },
  'alert-recipient': { type: 'string', usage: '--alert-recipient EMAIL[,EMAIL]', help: 'who that alert e-mails (verified addresses of the account)' },
  help: { type: 'boolean', short: 'h', usage: '-h, --help', help: 'this help' },
  version: { type: 'boolean', usage: '--version', help: 'print the version' },
} as const satisfies Record<string, OptionSpec>;
export type OptionName = keyof typeof OPTIONS;

/** The options each command accepts. */
export const COMMAND_OPTIONS: Record<Command, readonly OptionName[]> = {
  run: ['platform', 'since', 'dry-run', 'now', 'config', 'json', 'output', 'log-level', 'help', 'version'],
  demo: ['store', 'runs', 'json', 'output', 'log-level', 'help'],
  doctor: ['platform', 'config', 'json', 'output', 'log-level', 'help'],
  init: ['alert-integration', 'alert-recipient', 'config', 'log-level', 'help'],
  config: ['platform', 'config', 'json', 'output', 'log-level', 'help'],
  assess: ['dry-run', 'now', 'config', 'json', 'output', 'log-level', 'help'],
  status: ['now', 'config', 'json', 'output', 'log-level', 'help'],
  incidents: ['all', 'job', 'limit', 'now', 'config', 'json', 'output', 'log-level', 'help'],
  explain: ['limit', 'now', 'config', 'json', 'output', 'log-level', 'help'],
  silence: ['for', 'reason', 'author', 'now', 'config', 'json', 'log-level', 'help'],
  unsilence: ['config', 'json', 'log-level', 'help'],
  ack: ['author', 'now', 'config', 'json', 'log-level', 'help'],
  quarantine: ['limit', 'now', 'config', 'json', 'output', 'log-level', 'help'],
};

/** Commands that take exactly one positional argument (a job, an incident, a silence), as the help names it. */
export const POSITIONAL: Partial<Record<Command, string>> = { explain: 'JOB', silence: 'MATCH', unsilence: 'ID|MATCH', ack: 'INCIDENT' };

/** Commands with a subcommand (`config check`, `quarantine list|retry`). */
export const SUBCOMMANDS: Partial<Record<Command, readonly string[]>> = { config: ['check'], quarantine: ['list', 'retry'] };

const EXITS = `Exit codes: 0 the cycle ran (platform failures are reported as blind spots, not as a failed exit);
            1 internal error; 2 configuration or usage error, nothing configured to monitor, or Node older than ${MINIMUM_NODE};
            3 store unwritable or its schema out of date; 4 another cycle holds the store's write lease;
            5 (doctor) a check failed.`;

const STORE_EXITS = `Exit codes: 0 done; 2 usage error (or an unknown incident or silence); 3 no store yet, or its schema out of date;
            4 the store is in use by a running cycle (DuckDB): try again in a minute.`;

const INTRO: Record<Command, { text: string; usage: string; footer?: string }> = {
  run: {
    text: 'pipeline-audit [run] — collect recent runs from every configured platform, store them, report.',
    usage: 'pipeline-audit [run] [--platform NAME[,NAME]] [--since WHEN] [--dry-run] [--now INSTANT] [--json] [--output FILE]',
    footer: `Other commands: demo, doctor, init, config check, assess --dry-run; on call: status, incidents, explain, silence, unsilence, ack,
quarantine list|retry (pipeline-audit <command> --help).\n${EXITS}`,
  },
  demo: {
    text: `pipeline-audit demo — the whole cycle against simulated platforms on 127.0.0.1, stored in a local DuckDB file.
No network and no credentials. Run it twice: the stored row count does not change.`,
    usage: 'pipeline-audit demo [--store FILE] [--runs N] [--json] [--output FILE]',
  },
  doctor: {
    text: `pipeline-audit doctor — validate the configuration, then check that every configured scope and the store are
reachable and authorized, and how many jobs each can see. One line each, with the fix when not.`,
    usage: 'pipeline-audit doctor [--config FILE] [--platform NAME] [--json]',
    footer: EXITS,
  },
  init: {
    text: `pipeline-audit init — create or upgrade the audit tables (versioned migrations; idempotent). On Snowflake this
needs a role that may create tables in the audit schema; \`run\` needs only DML afterwards.`,
    usage: 'pipeline-audit init [--config FILE]',
  },
  config: {
    text: `pipeline-audit config check — validate the configuration (environment, .env and the config file) and print
what would be monitored, with every problem reported at once. Secrets are never printed.`,
    usage: 'pipeline-audit config check [--config FILE] [--json]',
  },
  assess: {
    text: `pipeline-audit assess --dry-run — re-run the health assessment at --now (default: now) from what is stored:
the incidents a cycle at that moment would open or resolve, and what it would tell each team. No collection,
nothing written, no model call (the deterministic summary). A cycle (\`run\`) assesses and stores.`,
    usage: 'pipeline-audit assess --dry-run [--now INSTANT] [--json]',
    footer: STORE_EXITS,
  },
  status: {
    text: `pipeline-audit status — the open incidents and blind spots, by team, critical first, then newest; times in UTC
and in the team's zone. Reads the store only (no collection).`,
    usage: 'pipeline-audit status [--now INSTANT] [--json]',
    footer: STORE_EXITS,
  },
  incidents: {
    text: 'pipeline-audit incidents — a table of incidents, newest first (open only, unless --all). Reads the store only.',
    usage: 'pipeline-audit incidents [--all] [--job GLOB] [--limit N] [--json]',
    footer: STORE_EXITS,
  },
  explain: {
    text: `pipeline-audit explain JOB — one job (an id, or a glob on id or name): its recent runs, its duration baseline,
its schedule and next expected start, and its incident timeline. Reads the store only.`,
    usage: 'pipeline-audit explain JOB [--limit N] [--now INSTANT] [--json]',
    footer: STORE_EXITS,
  },
  silence: {
    text: `pipeline-audit silence MATCH — hold back notifications for MATCH (an incident id, a fingerprint, or a glob on
job id or name) for a while. The incident stays open and listed; the next assessment marks it silenced.`,
    usage: 'pipeline-audit silence MATCH --for DURATION --reason TEXT [--author NAME] [--now INSTANT] [--json]',
    footer: STORE_EXITS,
  },
  unsilence: {
    text: 'pipeline-audit unsilence ID|MATCH — remove a silence, by its id or by the exact match it was given.',
    usage: 'pipeline-audit unsilence ID|MATCH [--json]',
    footer: STORE_EXITS,
  },
  ack: {
    text: `pipeline-audit ack INCIDENT — acknowledge an incident (someone is on it): reminders stop until it changes.
An unknown incident id is a usage error (exit 2).`,
    usage: 'pipeline-audit ack INCIDENT [--author NAME] [--now INSTANT] [--json]',
    footer: STORE_EXITS,
  },
  quarantine: {
    text: `pipeline-audit quarantine list|retry — the items a cycle set aside instead of dropping them (runs the store
refused, vendor items that failed validation). \`list\` shows them; \`retry\` (after an upgrade) validates them again,
stores those that now pass, and names the scopes to re-read from the vendor.`,
    usage: 'pipeline-audit quarantine list|retry [--limit N] [--json]   (retry: at most N items, oldest first)',
    footer: STORE_EXITS,
  },
};

/** The help of one command, listing exactly the options it accepts. */
export function helpText(command: Command): string {
  const intro = INTRO[command];
  const lines = COMMAND_OPTIONS[command].map((n) => {
    const o: OptionSpec = OPTIONS[n];
    const usage = o.short ? o.usage : `    ${o.usage}`;
    return `  ${usage.padEnd(26)} ${o.help}`;
  });
  return [intro.text, '', `Usage: ${intro.usage}`, '', 'Options:', ...lines, ...(intro.footer ? ['', intro.footer] : [])].join('\n');
}

/** Where to go after a demo: the commands of a real run. */
export const DEMO_NEXT_STEPS = `What "ok" means: the cycle read every simulated platform completely and stored its runs; the failed runs
listed above are the simulated platforms' failures, which is what the monitor is there to report.
The links point at the simulators (127.0.0.1, example ids): they are not real runs.

Next, for real: set one platform's credentials (e.g. DATABRICKS_HOST and DATABRICKS_TOKEN, see the README's
Configuration), then
  npx pipeline-audit config check   # what would be monitored
  npx pipeline-audit doctor         # is every platform reachable and authorized
  npx pipeline-audit                # one cycle: collect, store, report`;
