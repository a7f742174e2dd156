// The Snowflake side of the dead man's switch: an ALERT that Snowflake itself evaluates every 30 minutes, and that
// emails when no audit cycle has ended for 45 minutes (or none ever did). It keeps working when GitHub delays,
// drops or disables the scheduled run, since nothing of it runs there.
//
// Syntax: CREATE ALERT https://docs.snowflake.com/en/sql-reference/sql/create-alert (alerts are created suspended:
// ALTER ALERT … RESUME starts them); SYSTEM$SEND_EMAIL https://docs.snowflake.com/en/sql-reference/stored-procedures/system_send_email
// (integration name, a comma-separated string of addresses, subject, body; the addresses must be verified users of
// the account and, when the integration sets ALLOWED_RECIPIENTS, on that list).
//
// A DDL statement cannot take bind parameters, and the ALERT's body is stored as text: every value in it is
// rendered into the SQL. So each one is validated first (identifiers: plain, unquoted; the recipients: a strict
// address pattern without quotes or backslashes), and string literals are escaped all the same (`'` doubled, `\`
// doubled, since Snowflake reads backslash escapes in single-quoted strings).
import { ident } from './tables.js';

export interface StaleCycleAlertOptions {
  database: string;
  schema: string;
  warehouse: string;
  /** An email notification integration (CREATE NOTIFICATION INTEGRATION … TYPE = EMAIL). */
  integration: string;
  /** One address or several. */
  recipient: string | readonly string[];
  /** Alert when the newest cycle ended longer ago than this. Default 45 (three missed 15-minute cycles). */
  maxAgeMinutes?: number;
  /** How often Snowflake evaluates the condition. Default 30. */
  scheduleMinutes?: number;
}

export const STALE_ALERT_NAME = 'PIPELINE_AUDIT_STALE';

const EMAIL = /^[A-Za-z0-9.!#$%&*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

/** A Snowflake single-quoted string literal. */
export function sqlString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

function minutes(v: number | undefined, fallback: number, name: string): number {
  const n = v ?? fallback;
  if (!Number.isInteger(n) || n < 1 || n > 11_520) throw new Error(`${name} must be a whole number of minutes from 1 to 11520, got ${String(v)}`);
  return n;
}

/** The statements that create (or replace) and resume the stale-cycle alert. Throws on any value that is not plain. */
export function renderStaleCycleAlert(o: StaleCycleAlertOptions): string[] {
  // Upper case as the store creates them (sinks/store/snowflake.ts).
  const db = ident(o.database.toUpperCase());
  const schema = ident(o.schema.toUpperCase());
  const warehouse = ident(o.warehouse);
  const integration = ident(o.integration);
  const recipients = (typeof o.recipient === 'string' ? o.recipient.split(',') : [...o.recipient]).map((r) => r.trim()).filter(Boolean);
  if (recipients.length === 0) throw new Error('the alert needs at least one recipient address');
  for (const r of recipients) if (!EMAIL.test(r)) throw new Error(`not an email address the alert can use: ${JSON.stringify(r.slice(0, 80))}`);
  const maxAge = minutes(o.maxAgeMinutes, 45, 'maxAgeMinutes');
  const every = minutes(o.scheduleMinutes, 30, 'scheduleMinutes');

  const alert = `${db}.${schema}.${STALE_ALERT_NAME}`;
  const cycles = `${db}.${schema}.CYCLES`;
  const subject = `pipeline-audit has not completed a cycle for ${maxAge} minutes`;
  const body =
    `No row in ${cycles} ended in the last ${maxAge} minutes, or the table is empty. ` +
    'The scheduled run may be disabled, delayed or failing: check the workflow runs, the schedule (GitHub disables ' +
    'the schedules of public repositories after 60 days without activity) and the heartbeat monitor. ' +
    `Sent by the Snowflake alert ${alert}.`;
  return [
    `CREATE OR REPLACE ALERT ${alert} WAREHOUSE = ${warehouse} SCHEDULE = ${sqlString(`${every} MINUTE`)} ` +
      `COMMENT = ${sqlString('pipeline-audit dead man\'s switch: no audit cycle for too long')} ` +
      `IF (EXISTS (SELECT 1 FROM ${cycles} HAVING MAX(ENDED_AT) < DATEADD('minute', -${maxAge}, CURRENT_TIMESTAMP()) OR COUNT(*) = 0)) ` +
      `THEN CALL SYSTEM$SEND_EMAIL(${sqlString(integration)}, ${sqlString(recipients.join(', '))}, ${sqlString(subject)}, ${sqlString(body)})`,
    `ALTER ALERT ${alert} RESUME`,
  ];
}
