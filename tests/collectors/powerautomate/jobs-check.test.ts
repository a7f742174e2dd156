// The flow inventory (workflows, category 5) and `doctor`'s check: states including suspended, owners, paging,
// and a fix hint for each way the setup goes wrong.
import { afterEach, describe, expect, it } from '@jest/globals';
import { powerAutomateCollector } from '../../../collectors/powerautomate/collector.js';
import { DATAVERSE_HOSTILE_NAME, generateDataverseData } from '../../../sim/dataverse-data.js';
import { JobObservationSchema } from '../../../normalize/schema.js';
import { harness } from '../../helpers/powerautomate-harness.js';

const NOW = new Date('2026-11-23T12:00:00Z');
const data = (flows = 6, runs = 10) => generateDataverseData({ now: NOW, seed: 3, flows, runs, days: 1, hostile: true });
const FLOWS_PATH = '/api/data/v9.2/workflows';
const h = harness();

afterEach(async () => {
  expect(await h.finish()).toEqual([]);
});

describe('Power Automate flows', () => {
  it('lists solution flows with their state: a suspended flow is visible without any run at all', async () => {
    const dv = data(6, 0);
    const [e, d] = await Promise.all([h.entra(), h.dataverse(dv)]);
    const jobs = await powerAutomateCollector.listJobs(h.context(e, d).ctx);
    expect(jobs).toHaveLength(6);
    for (const j of jobs) expect(JobObservationSchema.safeParse(j).success).toBe(true);
    const byState = (s: string) => jobs.filter((j) => j.state === s);
    expect(byState('on').every((j) => j.paused === false)).toBe(true);
    expect(byState('off')).toEqual([expect.objectContaining({ paused: true })]);
    const suspended = byState('suspended');
    expect(suspended).toEqual([expect.objectContaining({ paused: true, name: dv.workflows[3]!.name })]);
    const hostile = jobs.find((j) => j.jobId === dv.workflows[0]!.workflowid)!;
    expect(hostile.name).toBe(DATAVERSE_HOSTILE_NAME);
    expect(hostile.owner).toBe('Kiana Anderson'); // the formatted value, asked for with include-annotations
    expect(hostile.url).toBe(`https://make.powerautomate.com/environments/Default-env-0001/flows/${String(dv.workflows[0]!.resourceid)}/details`);

    const req = d.log.find((l) => l.path === FLOWS_PATH)!;
    const q = new URL(req.url).searchParams;
    expect(q.get('$filter')).toBe('category eq 5');
    expect(q.get('$select')).toBe('workflowid,workflowidunique,name,statecode,statuscode,type,_ownerid_value,modifiedon,resourceid');
    expect(req.prefer).toBe('odata.maxpagesize=5000, odata.include-annotations="OData.Community.Display.V1.FormattedValue"');
  });

  it('pages the flow list with nextLink', async () => {
    const [e, d] = await Promise.all([h.entra(), h.dataverse(data(5_200))]);
    const jobs = await powerAutomateCollector.listJobs(h.context(e, d).ctx);
    expect(new Set(jobs.map((j) => j.jobId)).size).toBe(5_200);
    const pages = d.log.filter((l) => l.path === FLOWS_PATH);
    expect(pages).toHaveLength(2);
    expect(pages[1]!.query).toContain('skiptoken');
  });

  it('a flow row that fails validation is a warning naming it', async () => {
    const dv = data();
    dv.workflows[1]!.statecode = 'Activated';
    const [e, d] = await Promise.all([h.entra(), h.dataverse(dv)]);
    const tc = h.context(e, d);
    const jobs = await powerAutomateCollector.listJobs(tc.ctx);
    expect(jobs).toHaveLength(5);
    expect(tc.warnings).toEqual([expect.objectContaining({ code: 'invalid-item', itemId: dv.workflows[1]!.workflowid })]);
    expect(await h.finish()).toEqual(['statecode: not a number ("Activated")']);
  });
});

describe('Power Automate check', () => {
  it('reports the token, read access to flow runs and the visible flows', async () => {
    const [e, d] = await Promise.all([h.entra(), h.dataverse(data())]);
    const r = await powerAutomateCollector.check(h.context(e, d).ctx);
    expect(r).toEqual({ ok: true, message: 'token ok, flow runs readable, 6 flows visible (1 suspended)', jobsVisible: 6 });
    const probe = d.log.find((l) => l.path.endsWith('/flowruns'))!;
    expect(new URL(probe.url).searchParams.get('$top')).toBe('1');
  });

  it('names the missing security role when flow runs are forbidden', async () => {
    const [e, d] = await Promise.all([h.entra(), h.dataverse(data())]);
    d.failNext('/api/data/v9.2/flowruns', { status: 403, body: { error: { code: '0x80040220', message: 'Principal user is missing prvReadflowrun privilege' } } });
    const r = await powerAutomateCollector.check(h.context(e, d).ctx);
    expect(r).toMatchObject({ ok: false, message: expect.stringMatching(/^read flowruns: .*403/), fix: expect.stringContaining('security role') });
  });

  it('points at the URL when the API path is wrong or unreachable', async () => {
    const [e, d] = await Promise.all([h.entra(), h.dataverse(data())]);
    const wrong = await powerAutomateCollector.check(h.context(e, d, { apiUrl: `${d.url}/api/data/v9.0` }).ctx);
    expect(wrong).toMatchObject({ ok: false, fix: expect.stringContaining('wrong environment or API URL') });
    const closed = await powerAutomateCollector.check(h.context(e, d, { apiUrl: 'http://127.0.0.1:1/api/data/v9.2' }, { http: { retries: 0 } }).ctx);
    expect(closed).toMatchObject({ ok: false, fix: expect.stringContaining('could not reach') });
  });
});
