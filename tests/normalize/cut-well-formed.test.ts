// Vendor text cut to a column's bound never ends on half a surrogate pair: a 999-character name plus an emoji
// (1001 UTF-16 code units) is cut to 1000, which used to leave the emoji's high surrogate alone and make the
// store reject the whole batch. One case per platform, for the run and for the job.
import { describe, expect, it } from '@jest/globals';
import { AirbyteConnectionSchema, AirbyteJobSchema, normalizeAirbyteConnection, normalizeAirbyteJob } from '../../normalize/airbyte.js';
import { DatabricksJobSchema, DatabricksRunSchema, normalizeDatabricksJob, normalizeDatabricksRun } from '../../normalize/databricks.js';
import { normalizeFlowRun, normalizeWorkflow, type FlowRun, type Workflow } from '../../normalize/powerautomate.js';
import { JobObservationSchema, RunObservationSchema } from '../../normalize/schema.js';
import { generateJobs, makeRun, seededRandom } from '../../sim/databricks-data.js';

const LONG = 'n'.repeat(999) + '😀';
const STATUS = 's'.repeat(499) + '😀';

function expectWellFormedCut(s: string | null | undefined, max: number) {
  expect(typeof s).toBe('string');
  expect(s!.length).toBeLessThanOrEqual(max);
  expect(s!.isWellFormed()).toBe(true);
  expect(s!.startsWith('n'.repeat(990)) || s!.startsWith('s'.repeat(490))).toBe(true);
}

describe('cuts keep text well-formed', () => {
  it('Airbyte: connection name (run and job) and unknown status', () => {
    const WS = '2f7f3c1e-1b7a-4c1e-9a3e-0c1d2e3f4a5b';
    const CONN = '9924bcd0-99be-453d-ba47-c2c9766f7da5';
    const opts = { scope: 'api.airbyte.com/v1', webUrl: 'https://cloud.airbyte.com', secrets: [] };
    const job = AirbyteJobSchema.parse({ jobId: 1, status: STATUS, jobType: 'sync', startTime: '2026-11-23T10:15Z', connectionId: CONN, lastUpdatedAt: '2026-11-23T10:23:12Z' });
    const run = normalizeAirbyteJob(job, opts, { name: LONG, workspaceId: WS });
    expectWellFormedCut(run.jobName, 1000);
    expectWellFormedCut(run.status.raw, 500);
    expect(RunObservationSchema.safeParse(run).success).toBe(true);
    const conn = AirbyteConnectionSchema.parse({ connectionId: CONN, name: LONG, workspaceId: WS, status: 'active', schedule: { scheduleType: 'manual' }, tags: [] });
    const j = normalizeAirbyteConnection(conn, opts);
    expectWellFormedCut(j.name, 1000);
    expect(JobObservationSchema.safeParse(j).success).toBe(true);
  });

  it('Databricks: run name (run and job) and unknown status', () => {
    const NOW = Date.parse('2026-03-01T12:00:00Z');
    const opts = { scope: 'adb-1.azuredatabricks.net', baseUrl: 'https://adb-1.azuredatabricks.net', secrets: [] };
    const jobs = generateJobs(3, seededRandom(1), NOW, false);
    const raw = makeRun({ runId: 1, job: jobs[1]!, start: NOW - 3_600_000, durationMs: 600_000, outcome: 'SUCCESS' }) as Record<string, unknown>;
    const run = normalizeDatabricksRun(DatabricksRunSchema.parse({ ...raw, run_name: LONG }), opts);
    expectWellFormedCut(run.jobName, 1000);
    expect(RunObservationSchema.safeParse(run).success).toBe(true);
    const submit = normalizeDatabricksRun(DatabricksRunSchema.parse({ ...raw, job_id: undefined, run_name: 'x'.repeat(892) + '😀' }), opts);
    expect(submit.jobId.isWellFormed()).toBe(true);
    const odd = normalizeDatabricksRun(DatabricksRunSchema.parse({ ...raw, status: undefined, state: { life_cycle_state: STATUS } }), opts);
    expectWellFormedCut(odd.status.raw, 500);
    const j = normalizeDatabricksJob(DatabricksJobSchema.parse({ ...jobs[1]!, settings: { ...(jobs[1]!.settings as Record<string, unknown>), name: LONG } }), opts);
    expectWellFormedCut(j.name, 1000);
    expect(JobObservationSchema.safeParse(j).success).toBe(true);
  });

  it('Power Automate: flow name (run and job), unknown status, trigger and error code', () => {
    const FLOW: Workflow = { workflowid: 'a1b2c3d4-0000-4000-8000-000000000001', name: LONG, statecode: 1, resourceid: null, _ownerid_value: null, modifiedon: null };
    const RUN: FlowRun = {
      flowrunid: '9d8c7b6a-0000-4000-8000-000000000042',
      name: '08584000000000000042CU42',
      status: STATUS,
      starttime: '2026-11-23T10:00:00Z',
      endtime: '2026-11-23T10:02:30Z',
      triggertype: 't'.repeat(99) + '😀',
      errorcode: 'e'.repeat(199) + '😀',
      errormessage: null,
      workflowid: FLOW.workflowid,
      _workflow_value: FLOW.workflowid,
      parentrunid: null,
      modifiedon: '2026-11-23T10:03:10Z',
      createdon: '2026-11-23T10:00:20Z',
    };
    const run = normalizeFlowRun(RUN, { scope: 'org.crm.dynamics.com', environmentId: 'Default-env', flows: new Map([[FLOW.workflowid, FLOW]]), secrets: [] });
    expectWellFormedCut(run.jobName, 1000);
    expectWellFormedCut(run.status.raw, 500);
    expect(run.trigger!.isWellFormed() && run.trigger!.length <= 100).toBe(true);
    expect(run.errorCode!.isWellFormed() && run.errorCode!.length <= 200).toBe(true);
    expect(RunObservationSchema.safeParse(run).success).toBe(true);
    const j = normalizeWorkflow(FLOW, { scope: 'org.crm.dynamics.com', environmentId: 'Default-env' });
    expectWellFormedCut(j.name, 1000);
    expect(JobObservationSchema.safeParse(j).success).toBe(true);
  });
});
