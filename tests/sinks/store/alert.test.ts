import { describe, expect, it } from '@jest/globals';
import { renderStaleCycleAlert, sqlString, type StaleCycleAlertOptions } from '../../../sinks/store/alert.js';
import { TABLES } from '../../../sinks/store/tables.js';

const base: StaleCycleAlertOptions = { database: 'dev_powerapps', schema: 'AUDIT_JOB_HUB', warehouse: 'PIPELINE_AUDIT_WH', integration: 'audit_email_int', recipient: 'data-support@example.com' };

describe('renderStaleCycleAlert', () => {
  it('creates and resumes an alert on the age of the newest cycle row', () => {
    const [create, resume, ...rest] = renderStaleCycleAlert(base);
    expect(rest).toEqual([]);
    expect(create).toBe(
      'CREATE OR REPLACE ALERT DEV_POWERAPPS.AUDIT_JOB_HUB.PIPELINE_AUDIT_STALE WAREHOUSE = PIPELINE_AUDIT_WH SCHEDULE = \'30 MINUTE\' ' +
        "COMMENT = 'pipeline-audit dead man''s switch: no audit cycle for too long' " +
        "IF (EXISTS (SELECT 1 FROM DEV_POWERAPPS.AUDIT_JOB_HUB.CYCLES HAVING MAX(ENDED_AT) < DATEADD('minute', -45, CURRENT_TIMESTAMP()) OR COUNT(*) = 0)) " +
        "THEN CALL SYSTEM$SEND_EMAIL('audit_email_int', 'data-support@example.com', 'pipeline-audit has not completed a cycle for 45 minutes', " +
        "'No row in DEV_POWERAPPS.AUDIT_JOB_HUB.CYCLES ended in the last 45 minutes, or the table is empty. The scheduled run may be disabled, delayed or failing: " +
        'check the workflow runs, the schedule (GitHub disables the schedules of public repositories after 60 days without activity) and the heartbeat monitor. ' +
        "Sent by the Snowflake alert DEV_POWERAPPS.AUDIT_JOB_HUB.PIPELINE_AUDIT_STALE.')",
    );
    expect(resume).toBe('ALTER ALERT DEV_POWERAPPS.AUDIT_JOB_HUB.PIPELINE_AUDIT_STALE RESUME');
  });

  it('reads the cycles table and column the store writes', () => {
    expect(TABLES.cycles!.name.toUpperCase()).toBe('CYCLES');
    expect(TABLES.cycles!.columns.map(([n]) => n)).toContain('ended_at');
  });

  it('takes several recipients, another age and schedule', () => {
    const [create] = renderStaleCycleAlert({ ...base, recipient: ['a@example.com', ' b.c+ops@sub.example.org '], maxAgeMinutes: 90, scheduleMinutes: 15 });
    expect(create).toContain("SCHEDULE = '15 MINUTE'");
    expect(create).toContain("DATEADD('minute', -90, CURRENT_TIMESTAMP())");
    expect(create).toContain("SYSTEM$SEND_EMAIL('audit_email_int', 'a@example.com, b.c+ops@sub.example.org', 'pipeline-audit has not completed a cycle for 90 minutes'");
    expect(renderStaleCycleAlert({ ...base, recipient: 'a@example.com,b@example.com' })[0]).toContain("'a@example.com, b@example.com'");
  });

  it.each([
    ['database', { database: 'DEV"; DROP TABLE RUNS; --' }],
    ['schema', { schema: 'AUDIT JOB HUB' }],
    ['quoted schema', { schema: '"Audit"' }],
    ['warehouse', { warehouse: 'WH) THEN CALL X(' }],
    ['integration', { integration: "int', 'evil@example.com" }],
    ['recipient with a quote', { recipient: "x'@example.com" }],
    ['recipient closing the literal', { recipient: "a@example.com', 'evil', 'x', 'y'); DROP SCHEMA X; --" }],
    ['recipient with a backslash', { recipient: 'a\\@example.com' }],
    ['recipient without a domain', { recipient: 'root@localhost' }],
    ['no recipient', { recipient: ' , ' }],
    ['a fractional age', { maxAgeMinutes: 1.5 }],
    ['a negative schedule', { scheduleMinutes: -30 }],
  ] as [string, Partial<StaleCycleAlertOptions>][])('refuses a hostile or malformed %s', (_label, over) => {
    expect(() => renderStaleCycleAlert({ ...base, ...over })).toThrow();
  });
});

describe('sqlString', () => {
  it('doubles quotes and backslashes', () => {
    expect(sqlString("it's")).toBe("'it''s'");
    expect(sqlString('a\\b')).toBe("'a\\\\b'");
    expect(sqlString("\\'")).toBe("'\\\\'''");
  });
});
