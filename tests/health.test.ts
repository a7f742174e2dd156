// The health step inside the cycle: the real Databricks collector against its simulator, the real DuckDB store,
// the pure assessment, and the one LLM call through an OpenAI-compatible fake on 127.0.0.1.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runAudit } from '../audit.js';
import { assessStored } from '../health.js';
import type { AuditConfig } from '../config/load.js';
import { makeRun, type SimJob, type SimRun } from '../sim/databricks-data.js';
import { startDatabricksSimulator, type DatabricksSimulator } from '../sim/databricks.js';
import { reply, startFakeOpenAI, type FakeOpenAI } from '../sim/openai.js';
import { openDuckDbStore } from '../sinks/store/duckdb.js';
import { AssessConfigSchema } from '../summarize/assess/index.js';

const HOUR = 3_600_000;
const NOW = new Date('2026-11-23T12:00:00.000Z');
const TOKEN = 'dapi-health-test-token-0123456789';
const dir = mkdtempSync(join(tmpdir(), 'pa-health-'));
let openai: FakeOpenAI;
const closers: (() => Promise<void>)[] = [];
/** The vendor's clock (its Date header) follows the cycle's. */
let clock = NOW.getTime();

beforeAll(async () => {
  openai = await startFakeOpenAI({ apiKey: 'llm-key-health-test' });
});
afterAll(async () => {
  for (const c of closers) await c();
  await openai.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A job that failed its last three scheduled runs, and a healthy one. */
function history(): { jobs: SimJob[]; runs: SimRun[] } {
  const bad = { job_id: 1, settings: { name: 'orders_nightly' } } as SimJob;
  const good = { job_id: 2, settings: { name: 'customers_hourly' } } as SimJob;
  const runs = [
    ...[3, 2, 1].map((h, i) => makeRun({ runId: 100 + i, job: bad, start: NOW.getTime() - h * HOUR, durationMs: 60_000, outcome: 'FAILED', errorText: 'java.sql.SQLException: Login failed for user etl' })),
    ...[3, 2, 1].map((h, i) => makeRun({ runId: 200 + i, job: good, start: NOW.getTime() - h * HOUR, durationMs: 60_000, outcome: 'SUCCESS' })),
  ];
  return { jobs: [bad, good], runs };
}

async function setup(): Promise<{ sim: DatabricksSimulator; config: AuditConfig }> {
  const sim = await startDatabricksSimulator({ data: history(), token: TOKEN, now: () => new Date(clock) });
  closers.push(() => sim.close());
  const config: AuditConfig = {
    scopes: [{ platform: 'databricks', scope: { host: sim.url, token: TOKEN }, scopeId: 'ws-health', source: 'test' }],
    enabled: ['databricks'],
    notEnabled: [],
    store: { kind: 'duckdb', path: ':test:' },
    initialLookbackMs: 6 * HOUR,
    cycleTimeoutMs: 60_000,
    limits: { maxPages: 100, maxDetailRequests: 10 },
    http: { retries: 0 },
    secrets: [TOKEN, 'llm-key-health-test'],
    configFile: null,
    assessment: AssessConfigSchema.parse({ defaultTeam: { name: 'data-support', email: ['support@example.com'], timezone: 'Europe/Berlin' } }),
    llm: { provider: 'openai', apiKey: 'llm-key-health-test', model: 'gpt-test', baseUrl: openai.baseUrl },
  };
  return { sim, config };
}

describe('the health step of the cycle', () => {
  it('opens one critical incident for a streak of three, stores it, and asks the model once', async () => {
    const { config } = await setup();
    const store = await openDuckDbStore(join(dir, 'health.duckdb'));
    closers.push(() => store.close());
    await store.migrate();
    openai.enqueue(reply.json({ health: 'degraded', headline: 'One nightly job cannot log in to its database.', groups: [] }));
    const before = openai.requests.length;
    const report = await runAudit(config, { store, now: () => NOW, newId: () => 'cycle-h1' });
    expect(openai.requests.length - before).toBe(1);
    const h = report.health!;
    expect(h.persisted).toBe(true);
    expect(h.open).toEqual({ critical: 1, warning: 0 });
    expect(h.incidents.filter((i) => i.state === 'open').map((i) => [i.kind, i.jobName, i.streak, i.team])).toEqual([['failed', 'orders_nightly', 3, 'data-support']]);
    expect(h.plan).toEqual([{ team: 'data-support', notices: 1, reasons: { new: 1 } }]);
    expect(h.assessment).toMatchObject({ source: 'model', model: 'gpt-test', outcome: 'ok', health: 'critical' });
    expect((await store.readOpenIncidents()).map((i) => i.jobName)).toEqual(['orders_nightly']);
    expect(JSON.stringify(report)).not.toContain('llm-key-health-test');
    // The cycle row carries the assessment (model, tokens, latency, outcome) with the report.
    const last = await store.lastCycle();
    expect((last!.report as { health: { assessment: { model: string } } }).health.assessment.model).toBe('gpt-test');
  });

  it('delivers the digest once: the second cycle plans nothing, sends nothing and asks the model nothing', async () => {
    const { config } = await setup();
    const store = await openDuckDbStore(join(dir, 'deliver.duckdb'));
    closers.push(() => store.close());
    await store.migrate();
    const outboxDir = join(dir, 'outbox');
    const withOutbox: AuditConfig = { ...config, delivery: { transport: 'outbox', outboxDir, from: 'pipeline-audit@example.com', notifyTo: [], allClearHour: null } };
    openai.enqueue(reply.json({ health: 'degraded', headline: 'One nightly job cannot log in to its database.', groups: [] }));
    const before = openai.requests.length;
    const first = await runAudit(withOutbox, { store, now: () => NOW, newId: () => 'cycle-d1' });
    const [sent] = first.health!.deliveries!;
    expect(sent).toMatchObject({ team: 'data-support', status: 'sent', transport: 'outbox' });
    expect(sent!.files!.some((f) => f.endsWith('.eml'))).toBe(true);
    expect(readFileSync(sent!.files!.find((f) => f.endsWith('.html'))!, 'utf8')).toContain('orders_nightly');
    clock = NOW.getTime() + 15 * 60_000;
    const second = await runAudit(withOutbox, { store, now: () => new Date(clock), newId: () => 'cycle-d2' });
    clock = NOW.getTime();
    expect(second.health!.plan).toEqual([]);
    expect(second.health!.deliveries).toBeUndefined();
    expect(second.health!.incidents.filter((i) => i.state === 'open').map((i) => [i.kind, i.jobName])).toEqual([['failed', 'orders_nightly']]);
    expect(openai.requests.length - before).toBe(1);
    expect(readdirSync(outboxDir).filter((f) => f.endsWith('.eml'))).toHaveLength(1);
  });

  it('assess --dry-run re-runs the assessment at a later time from the store, writing nothing', async () => {
    const { config } = await setup();
    const store = await openDuckDbStore(join(dir, 'dry.duckdb'));
    closers.push(() => store.close());
    await store.migrate();
    openai.enqueue(reply.json({ health: 'degraded', headline: 'x', groups: [] }));
    await runAudit(config, { store, now: () => NOW, newId: () => 'cycle-r1' });
    const before = openai.requests.length;
    const [incident] = await store.readOpenIncidents();
    const eventsBefore = await store.readIncidentEvents(incident!.id);
    // 25 hours on, nothing delivered: the failure is still new news, and the scheduler's silence is a blind spot.
    const later = new Date(NOW.getTime() + 25 * HOUR);
    const h = await assessStored(store, { config: config.assessment!, now: later, cycleId: 'dry', secrets: [] });
    expect(h.persisted).toBe(false);
    expect(h.incidents.some((i) => i.kind === 'blind_spot' && i.platform === 'monitor')).toBe(true);
    expect(h.plan.teams.flatMap((t) => t.notices.map((n) => n.incident.kind)).sort()).toEqual(['blind_spot', 'failed']);
    expect(h.assessment.source).toBe('fallback');
    expect(openai.requests.length).toBe(before);
    expect(await store.readIncidentEvents(incident!.id)).toEqual(eventsBefore);
    expect((await store.readOpenIncidents()).map((i) => i.kind)).toEqual(['failed']);
  });

  it('with the store down: assesses this cycle’s collection alone, says so, persists nothing, falls back without a key', async () => {
    const { config } = await setup();
    const report = await runAudit({ ...config, llm: null }, { store: null, storeError: new Error('warehouse down'), now: () => NOW, newId: () => 'cycle-h2' });
    const h = report.health!;
    expect(h.persisted).toBe(false);
    expect(h.note).toMatch(/assessed from this cycle's collection alone/);
    expect(h.incidents.some((i) => i.kind === 'failed' && i.jobName === 'orders_nightly')).toBe(true);
    expect(h.assessment).toMatchObject({ source: 'fallback', fallbackReason: 'no_model' });
  });
});
