// The on-call commands spawned as a user runs them, over one DuckDB store seeded once through the library: status,
// incidents, explain, silence/unsilence, ack, quarantine list|retry, --now, and a hostile job name on the terminal.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Incident, IncidentEvent } from '../../normalize/incident.js';
import { openDuckDbStore } from '../../sinks/store/duckdb.js';
import { incidentId } from '../../summarize/assess/index.js';
import { runCli } from '../helpers/cli.js';
import { makeJob, makeRun } from '../helpers/run-fixtures.js';

// Each test spawns the CLI several times (a Node start and the modules each time): on a busy 2-core machine that
// can pass 30 s. A hang guard, not a time assertion.
jest.setTimeout(120_000);

const NOW = '2026-11-23T12:00:00Z';
const now = new Date(NOW);
const h = (hours: number) => new Date(now.getTime() + hours * 3_600_000);
const dir = mkdtempSync(join(tmpdir(), 'pa-oncall-'));
const db = join(dir, 'store.duckdb');
const env = { PIPELINE_AUDIT_DUCKDB_PATH: db, USER: 'tester' };
const cli = (args: string[], extra: Record<string, string> = {}) => runCli(args, { ...env, ...extra }, dir);

const HOSTILE_NAME = 'evil\n- FORGED LINE\u202e<b>html</b>';

function incident(over: Partial<Incident> & Pick<Incident, 'kind' | 'jobId' | 'openedAt'>): Incident {
  const platform = over.platform ?? 'databricks';
  const scope = over.scope ?? 'ws-1';
  const fingerprint = `${platform}|${scope}|${over.jobId}|${over.kind}`;
  return {
    id: incidentId(fingerprint, over.openedAt),
    fingerprint,
    platform,
    scope,
    jobName: null,
    team: 'data-eng',
    severity: 'warning',
    state: 'open',
    updatedAt: over.openedAt,
    lastSeenAt: over.openedAt,
    resolvedAt: null,
    streak: 1,
    lastRunId: null,
    lastRunAt: null,
    runUrl: null,
    jobUrl: null,
    errorClass: null,
    errorText: null,
    detail: '',
    parentId: null,
    flapping: false,
    silencedUntil: null,
    acknowledged: false,
    ...over,
  };
}

const failing = incident({ kind: 'failed', jobId: 'job-1', jobName: 'nightly_orders', openedAt: h(-3), updatedAt: h(-1), severity: 'critical', streak: 3, errorClass: 'DRIVER_ERROR', errorText: 'OOM on executor', detail: 'failed 3 times in a row' });
const hostile = incident({ kind: 'too_long', jobId: 'job-2', jobName: HOSTILE_NAME, openedAt: h(-1), detail: `running 2h; usual p95 20m ${HOSTILE_NAME}` });
const blind = incident({ kind: 'blind_spot', platform: 'airbyte', scope: 'ws-a', jobId: '', openedAt: h(-2), team: 'platform', severity: 'critical', detail: 'not read for 3 cycles' });
const resolved = incident({ kind: 'failed', jobId: 'job-1', jobName: 'nightly_orders', openedAt: h(-48), updatedAt: h(-40), state: 'resolved', resolvedAt: h(-40), detail: 'failed once' });
const events: IncidentEvent[] = [
  { incidentId: failing.id, cycleId: 'c1', at: h(-3), type: 'opened', severity: 'warning', streak: 1, errorClass: 'DRIVER_ERROR', note: null },
  { incidentId: failing.id, cycleId: 'c2', at: h(-1), type: 'severity_changed', severity: 'critical', streak: 3, errorClass: 'DRIVER_ERROR', note: null },
  { incidentId: resolved.id, cycleId: 'c0', at: h(-48), type: 'opened', severity: 'warning', streak: 1, errorClass: null, note: null },
  { incidentId: resolved.id, cycleId: 'c0b', at: h(-40), type: 'resolved', severity: 'warning', streak: 1, errorClass: null, note: null },
];

beforeAll(async () => {
  const store = await openDuckDbStore(db);
  try {
    await store.migrate();
    await store.upsertJobs([
      makeJob({ firstSeenAt: h(-24 * 30) }),
      makeJob({ jobId: 'job-2', name: HOSTILE_NAME, schedule: null, firstSeenAt: h(-24 * 30) }),
    ]);
    // job-1: twelve nightly successes of 10-21 minutes (a baseline needs ten), then today's failure.
    const runs = Array.from({ length: 12 }, (_, i) => {
      const start = h(-24 * (12 - i) - 11);
      return makeRun({ runId: `ok-${i}`, startedAt: start, endedAt: new Date(start.getTime() + (10 + i) * 60_000), durationMs: (10 + i) * 60_000 });
    });
    runs.push(makeRun({ runId: 'fail-1', startedAt: h(-11), endedAt: h(-10.5), durationMs: 1_800_000, status: { category: 'failed', detail: null, raw: 'TERMINATED/FAILED' }, errorClass: 'DRIVER_ERROR', errorMessage: 'OOM on executor' }));
    runs.push(makeRun({ jobId: 'job-2', jobName: HOSTILE_NAME, runId: 'long-1', startedAt: h(-2), endedAt: null, durationMs: null, status: { category: 'running', detail: null, raw: 'RUNNING' } }));
    await store.upsertRuns(runs);
    await store.writeIncidents([failing, hostile, blind, resolved], events);
    const { schemaVersion: _v, firstSeenAt: _f, lastSeenAt: _l, cycleId: _c, ...observation } = makeRun({ runId: 'q-ok', startedAt: h(-5), endedAt: h(-4.9) });
    const base = { platform: 'databricks', scope: 'ws-1', cycleId: 'c2', at: h(-5) };
    await store.quarantineItems([
      { ...base, itemId: 'q-ok', reason: 'refused by an older schema', payload: JSON.stringify({ stage: 'observation', item: observation }) },
      { ...base, itemId: 'q-bad', reason: 'durationMs: too small', payload: JSON.stringify({ stage: 'observation', item: { ...observation, runId: 'q-bad', durationMs: -5, secretMarker: 'PAYLOAD-ONLY' } }) },
      { ...base, platform: 'airbyte', scope: 'ws-a', itemId: '77', reason: 'job does not match', payload: JSON.stringify({ stage: 'vendor', item: { jobId: 77 } }), at: h(-6) },
    ]);
    await store.recordCycle({ cycleId: 'c2', startedAt: h(-0.3), endedAt: h(-0.25), outcome: 'partial', runsSeen: 14, runsWritten: 14, failedRuns: 1, warnings: 0, report: { blindSpots: [{ platform: 'airbyte', scope: 'ws-a', reason: 'HTTP 401' }] }, toolVersion: 'test' });
  } finally {
    await store.close();
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('on-call commands', () => {
  it('status groups the open incidents by team, critical first, in text and JSON', async () => {
    const text = await cli(['status', '--now', NOW]);
    expect(text.stderr).toBe('');
    expect(text.code).toBe(0);
    const out = text.stdout;
    expect(out).toContain('3 open incident(s) at 2026-11-23 12:00 UTC: 2 critical, 1 blind spot(s)');
    expect(out).toContain('Last cycle: ended 2026-11-23 11:45 UTC (15m before), partial');
    expect(out).toContain('blind spot: airbyte ws-a: HTTP 401');
    expect(out.indexOf('data-eng (UTC): 2 open')).toBeLessThan(out.indexOf('platform (UTC): 1 open'));
    // Critical first within the team, though the too-long incident is newer.
    expect(out.indexOf('nightly_orders')).toBeLessThan(out.indexOf('too_long'));
    expect(out).toContain('open for 3h, since 2026-11-23 09:00 UTC; streak 3');
    expect(out).toContain('error: DRIVER_ERROR: OOM on executor');

    const json = await cli(['status', '--now', NOW, '--json']);
    const s = JSON.parse(json.stdout) as { open: number; teams: { team: string; incidents: { id: string }[] }[]; silences: unknown[] };
    expect(s.open).toBe(3);
    expect(s.teams.map((t) => [t.team, t.incidents.map((i) => i.id)])).toEqual([
      ['data-eng', [failing.id, hostile.id]],
      ['platform', [blind.id]],
    ]);
    expect(s.silences).toEqual([]);
  });

  it('escapes a hostile job name in text output: no forged line, no bidi override, HTML inert', async () => {
    const r = await cli(['status', '--now', NOW]);
    expect(r.stdout).not.toContain('\u202e');
    expect(r.stdout.split('\n').some((l) => l.startsWith('- FORGED LINE'))).toBe(false);
    expect(r.stdout).toContain('evil\\n- FORGED LINE\\u202e<b>html</b>');
    const inc = await cli(['incidents', '--now', NOW]);
    expect(inc.stdout).not.toContain('\u202e');
    expect(inc.stdout).toContain('evil\\n- FORGED LINE');
  });

  it('incidents lists open ones by default, resolved ones with --all, and filters by --job', async () => {
    const open = await cli(['incidents', '--now', NOW]);
    expect(open.code).toBe(0);
    expect(open.stdout.split('\n')[0]).toMatch(/^ID\s+STATE\s+SEVERITY\s+KIND\s+TEAM\s+WHEN\s+JOB$/);
    expect(open.stdout).not.toContain(resolved.id);
    const all = await cli(['incidents', '--all', '--job', 'nightly*', '--json']);
    const { incidents } = JSON.parse(all.stdout) as { incidents: { id: string; state: string }[] };
    expect(incidents.map((i) => [i.id, i.state])).toEqual([
      [failing.id, 'open'],
      [resolved.id, 'resolved'],
    ]);
    const allText = await cli(['incidents', '--all', '--limit', '10']);
    expect(allText.stdout).toContain(`resolved 2026-11-21 20:00 UTC`);
  });

  it('explain shows the runs, the baseline, the schedule with its next start in its zone, and the timeline', async () => {
    const r = await cli(['explain', 'nightly_orders', '--now', NOW]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = r.stdout;
    expect(out).toContain('databricks ws-1 / nightly_orders (job job-1)');
    // 02:00 in Amsterdam (CET in November) is 01:00 UTC, tomorrow.
    expect(out).toContain('schedule: 0 0 2 * * ? (Europe/Amsterdam); next expected start 2026-11-24 01:00 UTC (02:00 CET, +01:00)');
    expect(out).toMatch(/duration baseline: median 15m, p95 21m over 12 successful runs; a run past 31m is too long/);
    expect(out).toContain('2026-11-23 01:00 UTC  failed (TERMINATED/FAILED)  30m  run fail-1  DRIVER_ERROR: OOM on executor');
    expect(out).toContain('run ok-11');
    expect(out).toMatch(/2026-11-23 09:00 UTC {2}opened[\s\S]*2026-11-23 11:00 UTC {2}severity_changed \(streak 3\)/);
    expect(out).toContain('2026-11-21 20:00 UTC  resolved');

    const json = await cli(['explain', 'job-2', '--json', '--now', NOW]);
    const e = JSON.parse(json.stdout) as { jobs: { jobId: string; active: { runId: string }[]; baseline: unknown; incidents: { incident: { id: string } }[] }[] };
    expect(e.jobs).toHaveLength(1);
    expect(e.jobs[0]!.active.map((x) => x.runId)).toEqual(['long-1']);
    expect(e.jobs[0]!.baseline).toBeNull();
    expect(e.jobs[0]!.incidents.map((x) => x.incident.id)).toEqual([hostile.id]);

    const none = await cli(['explain', 'no-such-job', '--now', NOW]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("no stored job has an id or name matching 'no-such-job'");
  });

  it('silence stores a silence ending exactly --for after --now; unsilence removes it', async () => {
    const r = await cli(['silence', 'nightly*', '--for', '4h', '--reason', 'vendor maintenance', '--now', NOW, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const { silence, matchesOpen } = JSON.parse(r.stdout) as { silence: { id: string; until: string; author: string }; matchesOpen: string[] };
    expect(silence.until).toBe('2026-11-23T16:00:00.000Z');
    expect(silence.author).toBe('tester');
    expect(matchesOpen).toEqual([failing.id]);

    const store = await openDuckDbStore(db, { readOnly: true });
    try {
      expect((await store.readSilences(now)).map((s) => [s.id, s.match, s.until.toISOString(), s.reason])).toEqual([[silence.id, 'nightly*', '2026-11-23T16:00:00.000Z', 'vendor maintenance']]);
    } finally {
      await store.close();
    }
    const status = await cli(['status', '--json', '--now', NOW]);
    expect((JSON.parse(status.stdout) as { silences: { id: string }[] }).silences.map((s) => s.id)).toEqual([silence.id]);

    const un = await cli(['unsilence', silence.id]);
    expect(un.code).toBe(0);
    expect(un.stdout).toContain('removed 1 silence(s)');
    const again = await cli(['unsilence', silence.id]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('no silence has the id or match');
  });

  it('ack acknowledges an incident (with its author); an unknown incident is exit 2', async () => {
    const r = await cli(['ack', failing.id, '--author', 'alice', '--now', NOW]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`acknowledged ${failing.id} by alice at 2026-11-23 12:00 UTC`);
    const store = await openDuckDbStore(db, { readOnly: true });
    try {
      expect((await store.readIncidents({ limit: 10, jobGlob: 'job-1' }))[0]!.acknowledged).toBe(true);
      expect((await store.readIncidentEvents(failing.id)).map((e) => [e.type, e.note])).toContainEqual(['acknowledged', 'acknowledged by alice']);
    } finally {
      await store.close();
    }
    const unknown = await cli(['ack', 'inc_does_not_exist']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("ack: no incident has the id 'inc_does_not_exist'");
  });

  it('quarantine list shows the items (payload in --json only); retry stores, keeps and names the re-read', async () => {
    const list = await cli(['quarantine', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('3 quarantined item(s), oldest first:');
    expect(list.stdout).toContain('airbyte ws-a  item 77');
    expect(list.stdout).toContain('durationMs: too small');
    expect(list.stdout).not.toContain('PAYLOAD-ONLY');
    const json = await cli(['quarantine', 'list', '--json', '--limit', '2']);
    const { items } = JSON.parse(json.stdout) as { items: { itemId: string; payload: string }[] };
    expect(items).toHaveLength(2);
    expect(items.some((i) => i.payload.includes('PAYLOAD-ONLY'))).toBe(true);

    const retry = await cli(['quarantine', 'retry', '--now', NOW]);
    expect(retry.stderr).toBe('');
    expect(retry.code).toBe(0);
    expect(retry.stdout).toContain('stored 1 item(s) that now pass validation');
    expect(retry.stdout).toMatch(/still invalid \(kept in the quarantine\): 1\n {2}databricks ws-1 item q-bad: durationMs/);
    expect(retry.stdout).toContain('pipeline-audit run --platform airbyte --since 2026-11-23T06:00:00.000Z');
    const after = await cli(['quarantine', 'list', '--json']);
    expect((JSON.parse(after.stdout) as { items: { itemId: string }[] }).items.map((i) => i.itemId).sort()).toEqual(['77', 'q-bad']);
  });

  it('a store held by a running cycle is exit 4 with a clear message', async () => {
    const holder = await openDuckDbStore(db);
    try {
      const r = await cli(['status']);
      expect(r.code).toBe(4);
      expect(r.stderr).toContain('is in use by a running cycle; try again in a minute');
    } finally {
      await holder.close();
    }
  });
});
