// The pure mapping from Dataverse flowrun and workflow rows to the common schema: every status the vendor lists,
// error text reduced and bounded, durations from the times, the portal link, the flow inventory.
import { describe, expect, it } from '@jest/globals';
import { flowErrorText, flowRunStatus, flowRunUrl, normalizeFlowRun, normalizeWorkflow, type FlowRun, type Workflow } from '../../normalize/powerautomate.js';
import { JobObservationSchema, RunObservationSchema } from '../../normalize/schema.js';

const FLOW: Workflow = { workflowid: 'a1b2c3d4-0000-4000-8000-000000000001', name: 'Invoice approval', statecode: 1, resourceid: 'f0e1d2c3-0000-4000-8000-0000000000aa', _ownerid_value: null, modifiedon: null };
const RUN: FlowRun = {
  flowrunid: '9d8c7b6a-0000-4000-8000-000000000042',
  name: '08584000000000000042CU42',
  status: 'Failed',
  starttime: '2026-11-23T10:00:00Z',
  endtime: '2026-11-23T10:02:30Z',
  triggertype: 'Scheduled',
  errorcode: 'ActionFailed',
  errormessage: 'An action failed. No dependent actions succeeded.',
  workflowid: FLOW.workflowid,
  _workflow_value: FLOW.workflowid,
  parentrunid: null,
  modifiedon: '2026-11-23T10:03:10Z',
  createdon: '2026-11-23T10:00:20Z',
};
const opts = { scope: 'org.crm.dynamics.com', environmentId: 'Default-env', flows: new Map([[FLOW.workflowid, FLOW]]), secrets: ['s3cr3t-value'] };

describe('flowRunStatus', () => {
  it.each([
    ['Succeeded', 'succeeded', null],
    ['success', 'succeeded', null],
    ['FAILED', 'failed', null],
    ['Faulted', 'failed', 'faulted'],
    ['TimedOut', 'failed', 'timed_out'],
    ['Suspended', 'failed', 'suspended'],
    ['Cancelled', 'canceled', null],
    ['canceled', 'canceled', null],
    ['Aborted', 'canceled', 'aborted'],
    ['Running', 'running', null],
    ['Waiting', 'running', 'waiting'],
    ['Skipped', 'skipped', null],
    ['Ignored', 'skipped', 'ignored'],
    ['Paused', 'unknown', null],
    ['', 'unknown', null],
  ])('%s -> %s', (raw, category, detail) => {
    expect(flowRunStatus(raw)).toEqual({ category, detail, raw });
  });

  it('keeps an unknown value raw, bounded, and maps a missing one to unknown', () => {
    expect(flowRunStatus(null)).toEqual({ category: 'unknown', detail: null, raw: '' });
    expect(flowRunStatus('Z'.repeat(800)).raw).toHaveLength(500);
  });
});

describe('flowErrorText', () => {
  it('reduces JSON error bodies to their message, redacts secrets, bounds the text', () => {
    expect(flowErrorText('{"error":{"code":"X","message":"Bad gateway password=hunter2"}}')).toBe('Bad gateway password=[REDACTED]');
    expect(flowErrorText('{"message":"Rate limit is exceeded."}')).toBe('Rate limit is exceeded.');
    expect(flowErrorText('[{"error":{"message":"first"}}]')).toBe('first');
    expect(flowErrorText('{"not json')).toBe('{"not json');
    expect(flowErrorText('{"error":{"code":"NoMessage"}}')).toBe('{"error":{"code":"NoMessage"}}');
    expect(flowErrorText('token s3cr3t-value leaked', ['s3cr3t-value'])).toBe('token [REDACTED] leaked');
    const long = flowErrorText(`{"error":{"message":"HEAD ${'x'.repeat(15_000)} TAIL"}}`)!;
    expect(long.length).toBeLessThanOrEqual(4000);
    expect(long.startsWith('HEAD')).toBe(true);
    expect(long.endsWith('TAIL')).toBe(true);
    expect(flowErrorText(null)).toBeNull();
  });

  it('does not parse a text over 20,000 characters (bounded before parsing), yet bounds it', () => {
    const huge = `{"error":{"message":"${'y'.repeat(25_000)}"}}`;
    const out = flowErrorText(huge)!;
    expect(out.startsWith('{"error"')).toBe(true); // kept as text, not parsed
    expect(out.length).toBeLessThanOrEqual(4000);
  });
});

describe('normalizeFlowRun', () => {
  it('maps a failed run: ids, names, times, duration from the times, error, link', () => {
    const r = normalizeFlowRun(RUN, opts);
    expect(RunObservationSchema.parse(r)).toEqual(r);
    expect(r).toMatchObject({
      platform: 'powerautomate',
      scope: 'org.crm.dynamics.com',
      jobId: FLOW.workflowid,
      jobName: 'Invoice approval',
      runId: RUN.flowrunid,
      attemptGroup: RUN.flowrunid,
      status: { category: 'failed', detail: null, raw: 'Failed' },
      durationMs: 150_000,
      trigger: 'Scheduled',
      errorCode: 'ActionFailed',
      errorMessage: 'An action failed. No dependent actions succeeded.',
      parentRunId: null,
      raw: { name: RUN.name, isChildRun: false },
    });
    expect(r.updatedAt).toEqual(new Date('2026-11-23T10:03:10Z'));
  });

  it('leaves the duration null while a run is running (no end time)', () => {
    const r = normalizeFlowRun({ ...RUN, status: 'Running', endtime: null, errormessage: null, errorcode: null }, opts);
    expect(r.durationMs).toBeNull();
    expect(r.status.category).toBe('running');
  });

  it('links a child run to its parent and marks it', () => {
    const r = normalizeFlowRun({ ...RUN, parentrunid: '08584000000000000041CU41' }, opts);
    expect(r.parentRunId).toBe('08584000000000000041CU41');
    expect(r.raw).toMatchObject({ isChildRun: true });
  });

  it('falls back to workflowid when the lookup is empty, and keeps a flow name it does not know null', () => {
    const r = normalizeFlowRun({ ...RUN, _workflow_value: null, workflowid: 'ffffffff-0000-4000-8000-000000000009' }, opts);
    expect(r.jobId).toBe('ffffffff-0000-4000-8000-000000000009');
    expect(r.jobName).toBeNull();
  });

  it('matches the flow by GUID case-insensitively (the lookup and the flow list may differ in case)', () => {
    expect(normalizeFlowRun({ ...RUN, _workflow_value: FLOW.workflowid.toUpperCase() }, opts).jobName).toBe('Invoice approval');
  });
});

describe('portal links (the flow id column is pinned here)', () => {
  it('uses the workflow resourceid as the flow id, the run name as the run id', () => {
    expect(normalizeFlowRun(RUN, opts).url).toBe(`https://make.powerautomate.com/environments/Default-env/flows/${FLOW.resourceid!}/runs/${RUN.name!}`);
  });

  it('falls back to workflowid without a resourceid, and gives no link without an environment id', () => {
    expect(flowRunUrl('env', undefined, 'wf-id', 'run-1')).toBe('https://make.powerautomate.com/environments/env/flows/wf-id/runs/run-1');
    expect(flowRunUrl('env', { ...FLOW, resourceid: null }, FLOW.workflowid, 'run-1')).toBe(`https://make.powerautomate.com/environments/env/flows/${FLOW.workflowid}/runs/run-1`);
    expect(flowRunUrl(null, FLOW, FLOW.workflowid, 'run-1')).toBeNull();
    expect(normalizeFlowRun(RUN, { ...opts, environmentId: null }).url).toBeNull();
  });
});

describe('normalizeWorkflow', () => {
  it.each([
    [0, 'off', true],
    [1, 'on', false],
    [2, 'suspended', true],
  ])('statecode %i -> %s (paused %s)', (statecode, state, paused) => {
    const j = normalizeWorkflow({ ...FLOW, statecode }, { scope: 's', environmentId: null });
    expect(JobObservationSchema.parse(j)).toEqual(j);
    expect(j).toMatchObject({ state, paused, url: null });
  });

  it('prefers the owner formatted value, keeps an unknown statecode visible', () => {
    const j = normalizeWorkflow({ ...FLOW, statecode: 7, _ownerid_value: 'guid-1', '_ownerid_value@OData.Community.Display.V1.FormattedValue': 'Kiana Anderson' }, { scope: 's', environmentId: 'env' });
    expect(j).toMatchObject({ owner: 'Kiana Anderson', state: 'statecode 7', paused: null });
    expect(j.url).toBe(`https://make.powerautomate.com/environments/env/flows/${FLOW.resourceid!}/details`);
    expect(normalizeWorkflow({ ...FLOW, _ownerid_value: 'guid-1' }, { scope: 's', environmentId: null }).owner).toBe('guid-1');
  });
});
