// The Databricks job inventory, `doctor`'s check, and the scope configuration.
import { afterEach, describe, expect, it } from '@jest/globals';
import { databricksCollector } from '../../../collectors/databricks/collector.js';
import { generateDatabricksData } from '../../../sim/databricks-data.js';
import { testContext } from '../../helpers/context.js';
import { harness, TOKEN } from '../../helpers/databricks-harness.js';

const NOW = new Date('2026-03-01T12:00:00Z');
const h = harness();

afterEach(async () => {
  expect(await h.finish()).toEqual([]);
});

describe('databricks listJobs', () => {
  it('pages through jobs/list and maps each job', async () => {
    const data = generateDatabricksData({ now: NOW, seed: 5, jobs: 230, runs: 10, days: 1 });
    const sim = await h.sim(data);
    const jobs = await databricksCollector.listJobs(h.context(sim).ctx);
    expect(jobs).toHaveLength(230);
    expect(sim.stats.requests['/api/2.2/jobs/list']).toBe(3);
    const first = jobs.find((j) => j.jobId === String(data.jobs[0]!.job_id));
    expect(first).toMatchObject({ name: 'nightly_orders_etl', paused: false, tags: { team: 'finance', env: 'prod' }, url: `${sim.url}/jobs/${data.jobs[0]!.job_id}` });
    expect(jobs.filter((j) => j.paused === true).length).toBeGreaterThan(10);
    expect(jobs.filter((j) => j.schedule === null).length).toBeGreaterThan(10);
  });

  it('warns about an invalid job and keeps the rest', async () => {
    const data = generateDatabricksData({ now: NOW, seed: 5, jobs: 3, runs: 0, days: 1 });
    const sim = await h.sim({ ...data, jobs: [...data.jobs, { job_id: 42, created_time: -5, settings: { name: 'created before 1970' } }] });
    const tc = h.context(sim);
    const jobs = await databricksCollector.listJobs(tc.ctx);
    expect(jobs).toHaveLength(3);
    expect(tc.warnings).toEqual([expect.objectContaining({ code: 'invalid-item', itemId: '42' })]);
  });
});

describe('databricks check', () => {
  const data = generateDatabricksData({ now: NOW, seed: 5, jobs: 130, runs: 0, days: 1 });

  it('reports the token works and how many jobs it sees', async () => {
    const sim = await h.sim(data);
    expect(await databricksCollector.check(h.context(sim).ctx)).toEqual({ ok: true, message: 'token ok, 100+ jobs visible', jobsVisible: 100 });
    const small = await h.sim({ jobs: data.jobs.slice(0, 4), runs: [] });
    expect(await databricksCollector.check(h.context(small).ctx)).toMatchObject({ ok: true, message: 'token ok, 4 jobs visible' });
  });

  it('says how to fix a refused token, a refused OAuth secret, a missing grant and an unreachable host', async () => {
    const sim = await h.sim(data, { token: TOKEN, clientId: 'sp', clientSecret: 'right' });
    const badPat = await databricksCollector.check(h.context(sim, { token: 'dapi-expired' }).ctx);
    expect(badPat).toMatchObject({ ok: false, fix: expect.stringMatching(/token is wrong or expired/) });
    const badSecret = await databricksCollector.check(h.context(sim, { clientId: 'sp', clientSecret: 'wrong' }).ctx);
    expect(badSecret).toMatchObject({ ok: false, fix: expect.stringMatching(/OAuth secret is wrong or expired/) });
    sim.failNext('/api/2.2/jobs/list', { status: 403, body: { error_code: 'PERMISSION_DENIED', message: 'User does not have permission' } });
    const denied = await databricksCollector.check(h.context(sim).ctx);
    expect(denied).toMatchObject({ ok: false, fix: expect.stringMatching(/CAN VIEW/) });

    const scope = databricksCollector.scopeSchema.parse({ host: 'http://127.0.0.1:9', token: TOKEN });
    const tc = testContext('databricks', scope, databricksCollector.scopeId(scope), { http: { retries: 0 } });
    try {
      expect(await databricksCollector.check(tc.ctx)).toMatchObject({ ok: false, fix: expect.stringMatching(/check DATABRICKS_HOST \(http:\/\/127\.0\.0\.1:9\)/) });
    } finally {
      await tc.close();
    }
  });
});

describe('databricks scope config', () => {
  const parse = (v: unknown) => databricksCollector.scopeSchema.safeParse(v);

  it('needs exactly one auth method, counting empty strings as unset', () => {
    expect(parse({ host: 'https://adb-1.azuredatabricks.net', token: 'dapi1' }).success).toBe(true);
    expect(parse({ host: 'https://adb-1.azuredatabricks.net', token: '', clientId: 'a', clientSecret: 'b' }).success).toBe(true);
    const none = parse({ host: 'https://adb-1.azuredatabricks.net', token: '' });
    expect(none.success).toBe(false);
    expect(none.error?.issues[0]?.message).toMatch(/auth method is required/);
    expect(parse({ host: 'https://adb-1.azuredatabricks.net', token: 't', clientId: 'a', clientSecret: 'b' }).error?.issues[0]?.message).toMatch(/not both/);
    expect(parse({ host: 'https://adb-1.azuredatabricks.net', clientId: 'a' }).error?.issues[0]).toMatchObject({ path: ['clientSecret'], message: expect.stringMatching(/both clientId and clientSecret/) });
    expect(parse({ host: 'adb-1.azuredatabricks.net', token: 't' }).success).toBe(false);
  });

  it('uses the host (and port) as the scope id', () => {
    const scope = databricksCollector.scopeSchema.parse({ host: 'https://adb-1.7.azuredatabricks.net/', token: 't' });
    expect(databricksCollector.scopeId(scope)).toBe('adb-1.7.azuredatabricks.net');
    expect(databricksCollector.scopeId({ host: 'http://127.0.0.1:8123', token: 't' })).toBe('127.0.0.1:8123');
  });
});
