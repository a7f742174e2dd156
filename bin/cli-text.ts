// Exit codes and help texts of the CLI, kept in one place (the README quotes them).
import { ConfigError } from '../errors.js';

/**
 * 0 when the cycle ran, even if platforms failed: they are reported as blind spots, and a red workflow every 15
 * minutes during a vendor outage teaches people to mute it. Non-zero only when the monitor itself is broken.
 */
export const EXIT = {
  OK: 0,
  INTERNAL: 1,
  CONFIG: 2,
  STORE: 3,
  LEASE: 4,
  /** doctor only: a scope or the store failed its check. */
  DOCTOR_FINDINGS: 5,
} as const;

const COMMON = `Options:
  -c, --config FILE      JSON config file (default: PIPELINE_AUDIT_CONFIG or ./pipeline-audit.config.json)
      --json             print the report as JSON on stdout instead of the text summary
  -o, --output FILE      also write the JSON report to FILE
      --log-level LEVEL  debug | info | warn | error (default info; logs go to stderr)
  -h, --help             this help`;

const EXITS = `Exit codes: 0 the cycle ran (platform failures are reported as blind spots, not as a failed exit);
            1 internal error; 2 configuration or usage error; 3 store unwritable or its schema out of date;
            4 another cycle holds the store's write lease; 5 (doctor) a check failed.`;

export const HELP: Record<string, string> = {
  run: `pipeline-audit [run] — collect recent runs from every configured platform, store them, report.

Usage: pipeline-audit [run] [--platform NAME[,NAME]] [--since WHEN] [--dry-run] [--json] [--output FILE]

      --platform NAME    only these platforms this cycle (airbyte, databricks, powerautomate, snowflake); repeatable
      --since WHEN       re-read from WHEN: an ISO time (2026-11-20T00:00Z) or a duration ago (90m, 6h, 3d)
      --dry-run          collect and report, write nothing, send nothing
${COMMON}

Other commands: demo, doctor, init, config check (pipeline-audit <command> --help).
${EXITS}`,
  demo: `pipeline-audit demo — the whole cycle against simulated platforms on 127.0.0.1, stored in a local DuckDB file.
No network and no credentials. Run it twice: the stored row count does not change.

Usage: pipeline-audit demo [--store FILE] [--runs N] [--json] [--output FILE]

      --store FILE       DuckDB file to store into (default ./pipeline-audit-demo.duckdb)
      --runs N           simulated runs per platform (default 300)
${COMMON}`,
  doctor: `pipeline-audit doctor — validate the configuration, then check that every configured scope and the store are
reachable and authorized, and how many jobs each can see. One line each, with the fix when not.

Usage: pipeline-audit doctor [--config FILE] [--json]
${COMMON}
${EXITS}`,
  init: `pipeline-audit init — create or upgrade the audit tables (versioned migrations; idempotent). On Snowflake this
needs a role that may create tables in the audit schema; \`run\` needs only DML afterwards.

Usage: pipeline-audit init [--config FILE]
${COMMON}`,
  config: `pipeline-audit config check — validate the configuration (environment, .env and the config file) and print
what would be monitored, with every problem reported at once. Secrets are never printed.

Usage: pipeline-audit config check [--config FILE] [--json]
${COMMON}`,
};

/** `--since`: an ISO instant, or a duration back from now like 90m, 6h, 3d. */
export function parseSince(value: string, now: Date): Date {
  const m = /^(\d+(?:\.\d+)?)\s*(m|h|d)$/i.exec(value.trim());
  if (m) {
    const unit = { m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2]!.toLowerCase() as 'm' | 'h' | 'd'];
    return new Date(now.getTime() - Number(m[1]) * unit);
  }
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new ConfigError([{ variable: '--since', message: `'${value}' is neither an ISO time nor a duration like 6h or 3d` }]);
  return new Date(t);
}
