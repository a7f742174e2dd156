// The Airbyte scope config (auth rules, scope id, web URL), the connection inventory (listJobs) and `doctor`
// (check) with its fix hints, against the fake server, Cloud-style and self-managed (/api/public/v1).
import { afterEach, describe, expect, it } from '@jest/globals';
import { airbyteCollector, airbyteScopeSchema, airbyteWebUrl } from '../../../collectors/airbyte/collector.js';
import { generateAirbyteData } from '../../../sim/airbyte-data.js';
import { JobObservationSchema } from '../../../normalize/schema.js';
import { API_KEY, APP, harness } from '../../helpers/airbyte-harness.js';

const NOW = new Date('2026-11-23T12:00:00Z');
const data = generateAirbyteData({ now: NOW, seed: 7, connections: 130, jobs: 50, days: 1 });
const h = harness();

afterEach(async () => {
  expect(await h.finish()).toEqual([]);
});

describe('airbyte scope config', () => {
  it('defaults to Cloud, treats blanks as unset and needs exactly one auth method', () => {
    const s = airbyteScopeSchema.parse({ apiKey: 'k', clientId: '', clientSecret: '  ', configApiUrl: '' });
    expect(s).toMatchObject({ baseUrl: 'https://api.airbyte.com/v1', workspaceIds: [], clientId: undefined, configApiUrl: undefined });
    const issues = (v: unknown) => (airbyteScopeSchema.safeParse(v).error?.issues ?? []).map((i) => i.path.join('.'));
    expect(issues({})).toEqual(['apiKey']);
    expect(issues({ apiKey: 'k', ...APP })).toEqual(['apiKey']);
    expect(issues({ clientId: 'id' })).toEqual(['clientSecret']);
    expect(issues({ apiKey: 'k', baseUrl: 'api.airbyte.com' })).toEqual(['baseUrl']);
  });

  it('ids a scope by API host and path, plus its sorted workspaces', () => {
    const cloud = airbyteScopeSchema.parse({ apiKey: 'k' });
    expect(airbyteCollector.scopeId(cloud)).toBe('api.airbyte.com/v1');
    const two = airbyteScopeSchema.parse({ apiKey: 'k', baseUrl: 'http://airbyte.internal:8000/api/public/v1/', workspaceIds: ['b-ws', 'a-ws'] });
    expect(airbyteCollector.scopeId(two)).toBe('airbyte.internal:8000/api/public/v1#a-ws,b-ws');
    expect(airbyteWebUrl(cloud)).toBe('https://cloud.airbyte.com');
    expect(airbyteWebUrl(two)).toBe('http://airbyte.internal:8000');
    expect(airbyteWebUrl({ ...two, webUrl: 'https://airbyte.example.com/' })).toBe('https://airbyte.example.com');
  });
});

describe('airbyte inventory', () => {
  it('lists every connection over pages, deleted ones included, with schedules and states', async () => {
    const sim = await h.sim(data);
    const tc = h.context(sim);
    const jobs = await airbyteCollector.listJobs(tc.ctx);
    expect(jobs).toHaveLength(data.connections.length);
    for (const j of jobs) JobObservationSchema.parse(j);
    const calls = sim.log.filter((r) => r.path === '/v1/connections');
    expect(calls.map((r) => r.query.get('offset'))).toEqual(['0', '100']);
    expect(calls.every((r) => r.query.get('includeDeleted') === 'true' && r.query.get('limit') === '100')).toBe(true);
    const byState = (s: string) => jobs.find((j) => j.state === s);
    expect(byState('deprecated')).toMatchObject({ deleted: true, paused: true });
    expect(byState('locked')).toMatchObject({ deleted: false, paused: true });
    expect(byState('inactive')?.paused).toBe(true);
    const cron = data.connections.find((c) => c.schedule.scheduleType === 'cron');
    expect(jobs.find((j) => j.jobId === cron?.connectionId)?.schedule).toBe(cron?.schedule.cronExpression);
    expect(jobs.find((j) => j.jobId === data.connections.find((c) => c.schedule.scheduleType === 'manual')?.connectionId)?.schedule).toBeNull();
  });
});

describe('airbyte check', () => {
  it('reports the token, workspaces and connections visible, self-managed under /api/public/v1', async () => {
    const sim = await h.sim(data, { ...APP, pathPrefix: '/api/public/v1' });
    const tc = h.context(sim, APP);
    expect(tc.ctx.scopeId).toMatch(/^127\.0\.0\.1:\d+\/api\/public\/v1$/);
    const res = await airbyteCollector.check(tc.ctx);
    expect(res).toMatchObject({ ok: true, message: 'application token ok, 2 workspaces, 100+ connections visible', jobsVisible: 100 });
    expect(sim.stats.tokensIssued).toBe(1);
  });

  it('says how to fix a wrong key, a missing workspace permission and a wrong base URL', async () => {
    const denied = data.workspaces[0]?.workspaceId ?? '';
    const sim = await h.sim(data, { ...APP, forbiddenWorkspaces: [denied] });
    const wrongSecret = await airbyteCollector.check(h.context(sim, { ...APP, clientSecret: 'nope' }).ctx);
    expect(wrongSecret).toMatchObject({ ok: false, fix: expect.stringMatching(/client id or secret is wrong/) });
    const wrongKey = await airbyteCollector.check(h.context(sim, { apiKey: 'expired' }).ctx);
    expect(wrongKey).toMatchObject({ ok: false, fix: expect.stringMatching(/API key is wrong or expired/) });
    const forbidden = await airbyteCollector.check(h.context(sim, { ...APP, workspaceIds: [denied] }).ctx);
    expect(forbidden).toMatchObject({ ok: false, fix: expect.stringMatching(/lacks access to the workspace/) });
    const noPrefix = await airbyteCollector.check(h.context(sim, { apiKey: API_KEY, baseUrl: sim.url.replace(/\/v1$/, '') }).ctx);
    expect(noPrefix).toMatchObject({ ok: false, fix: expect.stringMatching(/self-managed needs <host>\/api\/public\/v1/) });
  });
});
