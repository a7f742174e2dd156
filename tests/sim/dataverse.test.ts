// The fake Dataverse keeps the Web API's paging and query contract, its rows follow the vendor files, and the data
// generator is deterministic and covers the cases the collector must handle.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from '@jest/globals';
import { DATAVERSE_UNKNOWN_STATUS, FLOWRUN_COLUMNS, WORKFLOW_COLUMNS, generateDataverseData } from '../../sim/dataverse-data.js';
import type { DataverseSimulator } from '../../sim/dataverse.js';
import { flowrunViolations, harness, runsInWindow, workflowViolations } from '../helpers/powerautomate-harness.js';

const NOW = new Date('2026-11-23T12:00:00Z');
const h = harness();
const META = JSON.parse(readFileSync(new URL('../contracts/dataverse-flowrun.metadata.json', import.meta.url), 'utf8')) as { attributes: { logicalName: string; webApiLookupProperty?: string }[] };
const SAMPLE = (JSON.parse(readFileSync(new URL('../contracts/dataverse-workflows-list.example.json', import.meta.url), 'utf8')) as { value: Record<string, unknown>[] }).value[0]!;

afterEach(async () => {
  expect(await h.finish()).toEqual([]);
});

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown> & { value?: Record<string, unknown>[]; error?: { code: string; message: string } };
}
async function get(d: DataverseSimulator, url: string, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(url.startsWith('http') ? url : `${d.apiUrl}/${url}`, { headers: { authorization: 'Bearer sim-token', accept: 'application/json', ...headers } });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Answer['body']) : {} };
}

describe('Dataverse data generator', () => {
  it('is deterministic, covers every case, and writes nothing after now', () => {
    const a = generateDataverseData({ now: NOW, seed: 5, flows: 6, runs: 400, days: 3, hostile: true });
    expect(JSON.stringify(generateDataverseData({ now: NOW, seed: 5, flows: 6, runs: 400, days: 3, hostile: true }))).toBe(JSON.stringify(a));
    expect(new Set(a.flowruns.map((r) => r.status))).toEqual(new Set(['Running', DATAVERSE_UNKNOWN_STATUS, 'TimedOut', 'Cancelled', 'Failed', 'Succeeded']));
    expect(new Set(a.workflows.map((w) => w.statecode))).toEqual(new Set([0, 1, 2]));
    expect(a.flowruns.filter((r) => r.parentrunid)).toEqual([expect.objectContaining({ parentrunid: a.flowruns[5]!.name })]);
    const errors = a.flowruns.map((r) => r.errormessage).filter((m): m is string => typeof m === 'string');
    expect(errors.some((m) => m.startsWith('{'))).toBe(true);
    expect(errors.some((m) => !m.startsWith('{'))).toBe(true);
    for (const r of a.flowruns) {
      for (const k of ['starttime', 'endtime', 'createdon', 'modifiedon']) if (r[k] !== null) expect(String(r[k]) <= '2026-11-23T12:00:00Z').toBe(true);
      expect(flowrunViolations(r)).toEqual([]);
    }
    for (const w of a.workflows) expect(workflowViolations(w)).toEqual([]);
  });

  it('serves only columns the vendor files name', () => {
    const metaColumns = new Set(META.attributes.map((x) => x.webApiLookupProperty ?? x.logicalName));
    for (const c of FLOWRUN_COLUMNS) expect(metaColumns).toContain(c);
    for (const c of WORKFLOW_COLUMNS.filter((x) => !['statuscode', 'resourceid'].includes(x))) expect(Object.keys(SAMPLE)).toContain(c);
  });

  it('scales to 100,000 runs and finds a window by binary search', async () => {
    const dv = generateDataverseData({ now: NOW, seed: 9, flows: 20, runs: 100_000, days: 28 });
    const d = await h.dataverse(dv);
    const w = { start: new Date('2026-11-20T00:00:00Z'), end: new Date('2026-11-20T01:00:00Z') };
    const expected = runsInWindow(dv, w).map((r) => r.flowrunid);
    const page = await get(d, `flowruns?$select=flowrunid,modifiedon&$filter=modifiedon ge 2026-11-20T00:00:00Z and modifiedon le 2026-11-20T01:00:00Z&$orderby=modifiedon asc`);
    expect(expected.length).toBeGreaterThan(100);
    expect(page.body.value!.map((r) => r.flowrunid).sort()).toEqual([...expected].sort());
  });
});

describe('Dataverse Web API fake', () => {
  it('pages by Prefer maxpagesize (capped at 5000) with Preference-Applied and an absolute nextLink', async () => {
    const dv = generateDataverseData({ now: NOW, seed: 1, flows: 6, runs: 30, days: 1 });
    const d = await h.dataverse(dv);
    const first = await get(d, 'flowruns?$select=flowrunid,status,modifiedon&$orderby=modifiedon asc', { prefer: 'odata.maxpagesize=12' });
    expect(first.headers.get('preference-applied')).toBe('odata.maxpagesize=12');
    expect(first.body.value).toHaveLength(12);
    const next = String(first.body['@odata.nextLink']);
    expect(next.startsWith(`${d.apiUrl}/flowruns?`)).toBe(true);
    expect(new URL(next).searchParams.get('$skiptoken')).toMatch(/^<cookie pagenumber="2" /);
    const second = await get(d, next, { prefer: 'odata.maxpagesize=12' });
    const third = await get(d, String(second.body['@odata.nextLink']), { prefer: 'odata.maxpagesize=12' });
    expect(third.body.value).toHaveLength(6);
    expect(third.body['@odata.nextLink']).toBeUndefined();
    const ids = [first, second, third].flatMap((p) => p.body.value!.map((r) => r.flowrunid));
    expect(new Set(ids).size).toBe(30);
    expect(Object.keys(first.body.value![0]!).sort()).toEqual(['@odata.etag', 'flowrunid', 'modifiedon', 'status']);

    const capped = await get(d, 'flowruns', { prefer: 'odata.maxpagesize=9000' });
    expect(capped.headers.get('preference-applied')).toBe('odata.maxpagesize=5000');
  });

  it('$top returns that many rows without paging; $skip is refused', async () => {
    const d = await h.dataverse(generateDataverseData({ now: NOW, seed: 1, flows: 6, runs: 30, days: 1 }));
    const top = await get(d, 'flowruns?$select=flowrunid&$top=3', { prefer: 'odata.maxpagesize=2' });
    expect(top.body.value).toHaveLength(3);
    expect(top.body['@odata.nextLink']).toBeUndefined();
    const skip = await get(d, 'flowruns?$skip=10');
    expect(skip.status).toBe(400);
    expect(skip.body.error).toEqual({ code: '0x80060888', message: expect.stringContaining('$skip') });
  });

  it('filters on modifiedon and category, refuses unknown columns and filters it cannot parse', async () => {
    const dv = generateDataverseData({ now: NOW, seed: 1, flows: 6, runs: 300, days: 2 });
    const d = await h.dataverse(dv);
    const w = { start: new Date('2026-11-22T06:00:00Z'), end: new Date('2026-11-22T18:00:00Z') };
    const inWindow = await get(d, 'flowruns?$select=flowrunid&$filter=modifiedon ge 2026-11-22T06:00:00Z and modifiedon le 2026-11-22T18:00:00Z');
    expect(inWindow.body.value!.map((r) => r.flowrunid).sort()).toEqual(runsInWindow(dv, w).map((r) => r.flowrunid).sort());
    const flows = await get(d, `workflows?$filter=category eq 5&$select=workflowid,name`);
    expect(flows.body.value).toHaveLength(6);
    expect((await get(d, 'workflows?$filter=category eq 2')).body.value).toHaveLength(0);
    expect((await get(d, 'flowruns?$select=flowrunid,secretcolumn')).body.error?.message).toContain("Could not find a property named 'secretcolumn'");
    expect((await get(d, "flowruns?$filter=contains(name,'x')")).status).toBe(400);
    expect((await get(d, 'flowruns?$orderby=starttime desc')).status).toBe(400);
  });

  it('adds formatted values only when include-annotations asks for them', async () => {
    const dv = generateDataverseData({ now: NOW, seed: 1, flows: 6, runs: 3, days: 1 });
    const d = await h.dataverse(dv);
    const plain = await get(d, 'workflows?$select=workflowid,_ownerid_value');
    expect(Object.keys(plain.body.value![0]!).sort()).toEqual(['@odata.etag', '_ownerid_value', 'workflowid']);
    const annotated = await get(d, 'workflows?$select=workflowid,_ownerid_value', { prefer: 'odata.include-annotations="OData.Community.Display.V1.FormattedValue"' });
    const first = annotated.body.value![0]!;
    const source = dv.workflows.find((w) => w.workflowid === first.workflowid)!;
    expect(first['_ownerid_value@OData.Community.Display.V1.FormattedValue']).toBe(source['_ownerid_value@OData.Community.Display.V1.FormattedValue']);
    expect(typeof first['_ownerid_value@OData.Community.Display.V1.FormattedValue']).toBe('string');
    expect(annotated.headers.get('preference-applied')).toBe('odata.include-annotations="OData.Community.Display.V1.FormattedValue"');
  });

  it('answers 401 without a token or with a rejected one, and serves injected faults in the vendor error shape', async () => {
    const d = await h.dataverse(generateDataverseData({ now: NOW, seed: 1, flows: 6, runs: 3, days: 1 }));
    const anonymous = await fetch(`${d.apiUrl}/flowruns`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toContain(`resource_id=${d.url}/`);
    expect((await get(d, 'flowruns')).status).toBe(200);
    d.rejectTokens('seen');
    expect((await get(d, 'flowruns')).status).toBe(401);
    expect((await get(d, 'flowruns', { authorization: 'Bearer a-new-token' })).status).toBe(200);
    d.rejectTokens('none');
    expect((await get(d, 'flowruns')).status).toBe(200);
    d.failNext('/api/data/v9.2/flowruns', { status: 429, headers: { 'Retry-After': '7' }, body: { error: { code: '0x80072322', message: 'Number of requests exceeded the limit of 6000 over time window of 300 seconds.' } } });
    const throttled = await get(d, 'flowruns');
    expect(throttled).toMatchObject({ status: 429, body: { error: { code: '0x80072322' } } });
    expect(throttled.headers.get('retry-after')).toBe('7');
    expect((await get(d, 'flowruns')).status).toBe(200);
  });
});
