// The assessment and delivery half of the store contract: every store keeps incidents, events, silences, the
// ledger, deliveries and narratives alike, and reads the assessment snapshot in bounded windows.
import { expect, it } from '@jest/globals';
import type { Incident, IncidentEvent } from '../../../normalize/incident.js';
import type { Store } from '../../../sinks/store/types.js';
import { HOSTILE, makeJob, makeRun, at } from '../../helpers/run-fixtures.js';

export function incident(over: Partial<Incident> = {}): Incident {
  return {
    id: 'inc_1',
    fingerprint: 'databricks|ws-1|job-1|failed',
    kind: 'failed',
    platform: 'databricks',
    scope: 'ws-1',
    jobId: 'job-1',
    jobName: 'nightly_orders',
    team: 'data-eng',
    severity: 'warning',
    state: 'open',
    openedAt: at(0),
    updatedAt: at(0),
    lastSeenAt: at(0),
    resolvedAt: null,
    streak: 1,
    lastRunId: 'run-1',
    lastRunAt: at(-5),
    runUrl: 'https://example.invalid/run/1',
    jobUrl: null,
    errorClass: 'OOM',
    errorText: HOSTILE,
    detail: '1 failed run in a row',
    parentId: null,
    flapping: false,
    silencedUntil: null,
    acknowledged: false,
    ...over,
  };
}

const event = (inc: Incident, cycleId: string, type: IncidentEvent['type'], note: string | null = null): IncidentEvent => ({
  incidentId: inc.id,
  cycleId,
  at: inc.updatedAt,
  type,
  severity: inc.severity,
  streak: inc.streak,
  errorClass: inc.errorClass,
  note,
});

const failed = { category: 'failed' as const, detail: null, raw: 'FAILED' };

/** Registered inside the store contract's describe, so it runs on every store with its setup. */
export function assessContract(store: () => Store): void {
  it('round-trips incidents (dates, nulls, monitor scope) and lists open ones', async () => {
    const a = incident();
    const b = incident({ id: 'inc_2', fingerprint: 'monitor|store||blind_spot', kind: 'blind_spot', platform: 'monitor', scope: 'store', jobId: '', jobName: null, lastRunId: null, lastRunAt: null, runUrl: null, errorClass: null, errorText: null, severity: 'critical', silencedUntil: at(60), acknowledged: true, flapping: true, parentId: 'inc_9' });
    const c = incident({ id: 'inc_3', fingerprint: 'airbyte|w|conn_x|failed', platform: 'airbyte', scope: 'w', jobId: 'conn_x', jobName: 'orders_sync', state: 'resolved', resolvedAt: at(30), updatedAt: at(30) });
    await store().writeIncidents([a, b, c], [event(a, 'c1', 'opened'), event(b, 'c1', 'opened')]);
    expect(await store().readOpenIncidents()).toEqual([b, a].sort((x, y) => (x.fingerprint < y.fingerprint ? -1 : 1)));
    expect((await store().readIncidents({ all: true, limit: 10 })).map((i) => i.id)).toEqual(['inc_3', 'inc_1', 'inc_2']);
    expect(await store().readIncidents({ all: true, jobGlob: 'ORDERS_*', limit: 10 })).toEqual([c]);
    expect(await store().readIncidents({ jobGlob: 'orders_*', limit: 10 })).toEqual([]);
    expect(await store().readIncidents({ jobGlob: 'job_1', limit: 10 })).toEqual([]); // `_` is literal, not any character
    expect(await store().readIncidents({ all: true, limit: 1 })).toHaveLength(1);
  });

  it('re-writing a cycle is idempotent: incidents updated by id, events once per (incident, cycle, type)', async () => {
    const a = incident();
    await store().writeIncidents([a], [event(a, 'c1', 'opened')]);
    await store().writeIncidents([a], [event(a, 'c1', 'opened')]);
    const a2 = incident({ streak: 3, severity: 'critical', updatedAt: at(30), lastSeenAt: at(30) });
    const evs = [event(a2, 'c2', 'updated'), event(a2, 'c2', 'severity_changed', 'warning → critical')];
    await store().writeIncidents([a2], evs);
    await store().writeIncidents([a2], evs);
    expect(await store().readOpenIncidents()).toEqual([a2]);
    expect((await store().readIncidentEvents('inc_1')).map((e) => [e.cycleId, e.type, e.severity, e.note])).toEqual([
      ['c1', 'opened', 'warning', null],
      ['c2', 'updated', 'critical', null],
      ['c2', 'severity_changed', 'critical', 'warning → critical'],
    ]);
    await store().writeIncidents([], []);
  });

  it('acknowledges an incident with an event, and says when there is none', async () => {
    await store().writeIncidents([incident()], []);
    expect(await store().acknowledge('inc_1', 'alice', at(10))).toBe(true);
    expect(await store().acknowledge('nope', 'alice', at(10))).toBe(false);
    const [inc] = await store().readOpenIncidents();
    expect(inc).toMatchObject({ acknowledged: true, updatedAt: at(10) });
    expect(await store().readIncidentEvents('inc_1')).toEqual([{ incidentId: 'inc_1', cycleId: `ack:${at(10).toISOString()}`, at: at(10), type: 'acknowledged', severity: 'warning', streak: 1, errorClass: 'OOM', note: 'acknowledged by alice' }]);
  });

  it('keeps silences until they expire, removes them by id or by match', async () => {
    await store().addSilence({ id: 's1', match: 'nightly_*', until: at(60), author: 'alice', reason: HOSTILE, createdAt: at(0) });
    await store().addSilence({ id: 's2', match: 'inc_1', until: at(240), author: 'bob', reason: 'deploy', createdAt: at(0) });
    await store().addSilence({ id: 's2', match: 'inc_1', until: at(240), author: 'bob', reason: 'deploy', createdAt: at(0) });
    expect((await store().readSilences(at(30))).map((s) => s.id)).toEqual(['s1', 's2']);
    expect(await store().readSilences(at(60))).toEqual([{ id: 's2', match: 'inc_1', until: at(240), author: 'bob', reason: 'deploy', createdAt: at(0) }]);
    expect((await store().readSilences(at(0)))[0]!.reason).toBe(HOSTILE);
    expect(await store().removeSilence('inc_1')).toBe(1);
    expect(await store().removeSilence('s1')).toBe(1);
    expect(await store().removeSilence('s1')).toBe(0);
    expect(await store().readSilences(at(0))).toEqual([]);
  });

  it('claims, fails, re-claims and confirms a delivery; the ledger moves only with the confirmation', async () => {
    const claim = { team: 'data-eng', cycleId: 'c1', messageId: '<m1@pipeline-audit>', contentHash: 'h1', claimedAt: at(0) };
    expect(await store().claimDelivery(claim)).toBe(true);
    expect((await store().readPendingDeliveries()).map((d) => [d.messageId, d.status, d.team, d.cycleId, d.contentHash, d.claimedAt])).toEqual([['<m1@pipeline-audit>', 'sending', 'data-eng', 'c1', 'h1', at(0)]]);
    await store().failDelivery({ messageId: claim.messageId, error: 'SMTP 451', retryable: true });
    expect(await store().readPendingDeliveries()).toEqual([]);
    expect(await store().readLedger()).toEqual({});
    expect(await store().claimDelivery({ ...claim, claimedAt: at(15) })).toBe(true);
    const notices = [
      { fingerprint: 'databricks|ws-1|job-1|failed', state: 'open' as const, severity: 'critical' as const, errorClass: 'OOM' },
      { fingerprint: 'airbyte|w|c|failed', state: 'resolved' as const, severity: 'warning' as const, errorClass: null },
    ];
    await store().confirmDelivery({ messageId: claim.messageId, team: 'data-eng', transportId: 'req-1', response: '250 OK', sentAt: at(16), notices });
    await store().failDelivery({ messageId: claim.messageId, error: 'late', retryable: false }); // never un-sends
    expect(await store().claimDelivery({ ...claim, claimedAt: at(30) })).toBe(false);
    expect(await store().readPendingDeliveries()).toEqual([]);
    const ledger = await store().readLedger('data-eng');
    expect(ledger).toEqual({
      'databricks|ws-1|job-1|failed': { lastState: 'open', at: at(16), severity: 'critical', errorClass: 'OOM', team: 'data-eng' },
      'airbyte|w|c|failed': { lastState: 'resolved', at: at(16), severity: 'warning', errorClass: null, team: 'data-eng' },
    });
    expect(await store().readLedger('ops')).toEqual({});
    // Another team told later: the team-less ledger has the latest entry per fingerprint.
    await store().claimDelivery({ ...claim, team: 'ops', messageId: '<m2@pipeline-audit>', claimedAt: at(40) });
    await store().confirmDelivery({ messageId: '<m2@pipeline-audit>', team: 'ops', transportId: null, response: null, sentAt: at(41), notices: [{ ...notices[0]!, state: 'resolved' }] });
    expect((await store().readLedger())['databricks|ws-1|job-1|failed']).toMatchObject({ lastState: 'resolved', team: 'ops', at: at(41) });
    expect((await store().readLedger('data-eng'))['databricks|ws-1|job-1|failed']).toMatchObject({ lastState: 'open' });
    await expect(store().confirmDelivery({ messageId: '<never-claimed>', team: 'ops', transportId: null, response: null, sentAt: at(50), notices: [] })).rejects.toThrow(/claim/);
    await expect(store().confirmDelivery({ messageId: '<never-claimed>', team: 'ops', transportId: null, response: null, sentAt: at(50), notices })).rejects.toThrow(/claim/);
    expect((await store().readLedger('ops'))['airbyte|w|c|failed']).toBeUndefined();
  });

  it("refuses to confirm a delivery for another team than its claim's: the ledger does not move", async () => {
    await store().claimDelivery({ team: 'data-eng', cycleId: 'c1', messageId: '<m3>', contentHash: 'h', claimedAt: at(0) });
    const notice = { fingerprint: 'databricks|ws-1|job-1|failed', state: 'open' as const, severity: 'warning' as const, errorClass: null };
    await expect(store().confirmDelivery({ messageId: '<m3>', team: 'ops', transportId: null, response: null, sentAt: at(1), notices: [notice] })).rejects.toThrow(/claim/);
    expect(await store().readLedger()).toEqual({});
    expect((await store().readPendingDeliveries()).map((d) => [d.messageId, d.status])).toEqual([['<m3>', 'sending']]);
    await store().confirmDelivery({ messageId: '<m3>', team: 'data-eng', transportId: null, response: null, sentAt: at(2), notices: [] });
    expect(await store().readPendingDeliveries()).toEqual([]);
  });

  it('reads every assessment input in one call, exactly as the separate reads do', async () => {
    const ms = (minutes: number, extra: number) => new Date(at(minutes).getTime() + extra); // sub-second instants
    const big = 2 ** 60; // beyond 2^53: a double both ways, never a rounded string
    await store().upsertRuns([
      makeRun({ runId: 'a', startedAt: ms(0, 123), endedAt: ms(3, 7), durationMs: 180_000 - 116, rowsProcessed: big, errorMessage: HOSTILE, errorClass: 'OOM', status: failed, lastSeenAt: ms(4, 999), firstSeenAt: ms(4, 999) }),
      makeRun({ runId: 'b', startedAt: ms(10, 1), endedAt: null, durationMs: null, status: { category: 'running', detail: 'RUNNING', raw: 'RUNNING' }, url: null }),
      makeRun({ runId: 'p', attemptGroup: 'g', isFinalAttempt: false, status: failed, startedAt: ms(5, 500) }),
      makeRun({ jobId: 'job-2', runId: 'c', startedAt: null, scheduledAt: ms(11, 250), endedAt: null, durationMs: null, status: { category: 'queued', detail: null, raw: 'QUEUED' } }),
    ]);
    await store().upsertJobs([makeJob({ tags: { team: 'data-eng', note: HOSTILE }, firstSeenAt: ms(0, 1), paused: true }), makeJob({ jobId: 'job-3', name: null, schedule: null, tags: {}, scheduleTimezone: null })]);
    await store().recordCycle({ cycleId: 'c0', startedAt: ms(-1, 0), endedAt: ms(-1, 42), outcome: 'ok', runsSeen: 0, runsWritten: 0, failedRuns: 0, warnings: 0, report: {}, toolVersion: 't' });
    const a = incident({ openedAt: ms(0, 1), updatedAt: ms(1, 2), lastSeenAt: ms(2, 3), lastRunAt: ms(-5, 4), streak: 7, acknowledged: true });
    const b = incident({ id: 'inc_2', fingerprint: 'monitor|store||blind_spot', kind: 'blind_spot', platform: 'monitor', scope: 'store', jobId: '', jobName: null, lastRunId: null, lastRunAt: null, runUrl: null, errorClass: null, errorText: null, severity: 'critical', silencedUntil: ms(60, 5), flapping: true, parentId: 'inc_9' });
    await store().writeIncidents([a, b, incident({ id: 'inc_3', fingerprint: 'x|y|z|failed', state: 'resolved', resolvedAt: ms(3, 3) })], []);
    await store().addSilence({ id: 's1', match: 'nightly*', until: ms(120, 1), author: 'amy', reason: HOSTILE, createdAt: ms(0, 9) });
    await store().addSilence({ id: 's0', match: 'inc_1', until: ms(1, 0), author: 'bob', reason: 'past', createdAt: ms(0, 9) });
    for (const [team, sentAt] of [['data-eng', ms(20, 1)], ['ops', ms(20, 2)]] as const) {
      await store().claimDelivery({ team, cycleId: 'c0', messageId: `<${team}>`, contentHash: 'h', claimedAt: sentAt });
      await store().confirmDelivery({ messageId: `<${team}>`, team, transportId: null, response: null, sentAt, notices: [{ fingerprint: a.fingerprint, state: 'open', severity: 'warning', errorClass: null }, { fingerprint: `${team}|only`, state: 'resolved', severity: 'critical', errorClass: 'E' }] });
    }

    const opts = { now: ms(30, 0), finals: 20, successes: 20, cycleId: 'c1' };
    const scopes = [{ platform: 'databricks' as const, scope: 'ws-1' }];
    const inputs = await store().readAssessmentInputs(scopes, opts);
    expect(inputs).toEqual({ snapshot: await store().readAssessmentSnapshot(scopes, opts), open: await store().readOpenIncidents(), silences: await store().readSilences(opts.now), ledger: await store().readLedger() });
    // And the values themselves, not only the agreement of two reads.
    const j1 = inputs.snapshot.jobs.find((j) => j.jobId === 'job-1')!;
    expect(inputs.snapshot.previousCycleEndedAt).toEqual(ms(-1, 42));
    expect(j1.finals[0]).toMatchObject({ runId: 'a', startedAt: ms(0, 123), endedAt: ms(3, 7), durationMs: 179_884, rowsProcessed: big, errorMessage: HOSTILE, isFinalAttempt: true });
    expect(j1.active[0]).toMatchObject({ runId: 'b', endedAt: null, url: null, status: { category: 'running', detail: 'RUNNING', raw: 'RUNNING' } });
    expect(j1.pendingRetries.map((r) => [r.runId, r.isFinalAttempt, r.startedAt])).toEqual([['p', false, ms(5, 500)]]);
    expect(j1.lastStartedAt).toEqual(ms(10, 1));
    expect(j1.job).toMatchObject({ paused: true, deleted: false, firstSeenAt: ms(0, 1), tags: { team: 'data-eng', note: HOSTILE } });
    expect(inputs.snapshot.jobs.find((j) => j.jobId === 'job-2')?.lastStartedAt).toEqual(ms(11, 250));
    expect(inputs.snapshot.jobs.find((j) => j.jobId === 'job-3')?.job).toMatchObject({ name: null, schedule: null, tags: {} });
    expect(inputs.open).toEqual([a, b].sort((x, y) => (x.fingerprint < y.fingerprint ? -1 : 1)));
    expect(inputs.silences).toEqual([{ id: 's1', match: 'nightly*', until: ms(120, 1), author: 'amy', reason: HOSTILE, createdAt: ms(0, 9) }]);
    expect(inputs.ledger).toEqual({
      [a.fingerprint]: { lastState: 'open', at: ms(20, 2), severity: 'warning', errorClass: null, team: 'ops' },
      'data-eng|only': { lastState: 'resolved', at: ms(20, 1), severity: 'critical', errorClass: 'E', team: 'data-eng' },
      'ops|only': { lastState: 'resolved', at: ms(20, 2), severity: 'critical', errorClass: 'E', team: 'ops' },
    });
    // Nothing stored: every part empty, and the snapshot of no scope is empty too.
    expect(await store().readAssessmentInputs([], opts)).toMatchObject({ snapshot: { jobs: [], previousCycleEndedAt: ms(-1, 42) } });
  });

  it('lists a delivery left sending (the process died mid-send) for a resend', async () => {
    await store().claimDelivery({ team: 'a', cycleId: 'c2', messageId: '<m-late>', contentHash: 'x', claimedAt: at(5) });
    await store().claimDelivery({ team: 'b', cycleId: 'c1', messageId: '<m-early>', contentHash: 'y', claimedAt: at(1) });
    expect((await store().readPendingDeliveries()).map((d) => d.messageId)).toEqual(['<m-early>', '<m-late>']);
  });

  it('caches the narrative by the hash of the facts', async () => {
    expect(await store().readNarrative('f1')).toBeNull();
    await store().writeNarrative('f1', JSON.stringify({ headline: HOSTILE }), at(0));
    await store().writeNarrative('f1', JSON.stringify({ headline: 'again' }), at(5));
    expect(await store().readNarrative('f1')).toEqual({ factsHash: 'f1', json: JSON.stringify({ headline: 'again' }), at: at(5) });
  });

  it('reads a bounded snapshot: newest N finals and successes oldest first, pending retries, active runs', async () => {
    const now = at(60 * 24 * 2);
    const runs = Array.from({ length: 30 }, (_, i) =>
      makeRun({ runId: `f${String(i).padStart(2, '0')}`, startedAt: at(i * 60), endedAt: at(i * 60 + 3), durationMs: 180_000 + i, rowsProcessed: i, status: i % 3 === 0 ? failed : makeRun().status }),
    );
    const other = [
      makeRun({ runId: 'ancient', startedAt: at(-60 * 24 * 90), endedAt: at(-60 * 24 * 90 + 3), lastSeenAt: at(-60 * 24 * 90 + 4), firstSeenAt: at(-60 * 24 * 90 + 4) }),
      // A failed first attempt whose retry has not come: pending. One whose retry came: not pending.
      makeRun({ runId: 'p1', attemptGroup: 'g-pending', isFinalAttempt: false, status: failed, startedAt: at(2000) }),
      makeRun({ runId: 'p2', attemptGroup: 'g-done', isFinalAttempt: false, status: failed, startedAt: at(2001) }),
      makeRun({ runId: 'p2-retry', attemptGroup: 'g-done', attempt: 1, isFinalAttempt: true, startedAt: at(2002), endedAt: at(2003) }),
      makeRun({ runId: 'live', status: { category: 'running', detail: null, raw: 'RUNNING' }, startedAt: at(2500), endedAt: null, durationMs: null }),
      makeRun({ jobId: 'job-2', runId: 'q', status: { category: 'queued', detail: null, raw: 'QUEUED' }, startedAt: null, endedAt: null, durationMs: null, scheduledAt: at(2600), lastSeenAt: at(2601) }),
      makeRun({ scope: 'ws-other', runId: 'elsewhere' }),
    ];
    await store().upsertRuns([...runs, ...other]);
    await store().upsertJobs([makeJob({ jobId: 'job-1' }), makeJob({ jobId: 'job-3', name: 'never_ran' }), makeJob({ scope: 'ws-other', jobId: 'x' })]);
    const snap = await store().readAssessmentSnapshot([{ platform: 'databricks', scope: 'ws-1' }], { now, finals: 20, successes: 5, cycleId: 'cycle-1' });
    expect(snap.previousCycleEndedAt).toBeNull();
    expect(snap.jobs.map((j) => [j.jobId, j.job?.name ?? null])).toEqual([
      ['job-1', 'nightly_orders'],
      ['job-2', null],
      ['job-3', 'never_ran'],
    ]);
    const j1 = snap.jobs[0]!;
    // The live run is a final attempt too (every category), the newest; then the retry; then f29 … back to f12.
    expect(j1.finals.map((r) => r.runId)).toEqual([...Array.from({ length: 18 }, (_, i) => `f${12 + i}`), 'p2-retry', 'live']);
    expect(j1.finals[0]).toMatchObject({ status: failed, durationMs: 180_012, rowsProcessed: 12, isFinalAttempt: true, startedAt: at(720), endedAt: at(723) });
    expect(j1.successes.map((s) => s.runId)).toEqual(['f25', 'f26', 'f28', 'f29', 'p2-retry']);
    expect(j1.successes[0]).toEqual({ runId: 'f25', endedAt: at(1503), durationMs: 180_025, rowsProcessed: 25 });
    expect(j1.pendingRetries.map((r) => r.runId)).toEqual(['p1']);
    expect(j1.active.map((r) => r.runId)).toEqual(['live']);
    expect(j1.lastStartedAt).toEqual(at(2500));
    expect(j1.job).toMatchObject({ schedule: '0 0 2 * * ?', scheduleTimezone: 'Europe/Amsterdam', paused: false, tags: { team: 'data-eng' }, deleted: false, firstSeenAt: at(0) });
    const j2 = snap.jobs[1]!;
    expect(j2.active.map((r) => r.runId)).toEqual(['q']);
    expect(j2.lastStartedAt).toEqual(at(2600));
    expect(snap.jobs[2]).toMatchObject({ finals: [], successes: [], active: [], pendingRetries: [], lastStartedAt: null, jobBefore: null });
    // The old run is outside the window: never read.
    const all = await store().readAssessmentSnapshot('all', { now, finals: 100, successes: 100, cycleId: 'cycle-1' });
    expect(all.jobs.flatMap((j) => j.finals.map((r) => r.runId))).not.toContain('ancient');
    expect(all.jobs.map((j) => j.scope)).toContain('ws-other');
    expect((await store().readAssessmentSnapshot([], { now, finals: 20, successes: 20, cycleId: 'c' })).jobs).toEqual([]);
  });

  it("gives each job's paused/state before this cycle's upsert, the same on a re-run of the cycle", async () => {
    const job = (cycle: string, minutes: number, paused: boolean) => makeJob({ paused, state: paused ? 'PAUSED' : 'UNPAUSED', cycleId: cycle, firstSeenAt: at(minutes), lastSeenAt: at(minutes) });
    const cycle = (id: string, minutes: number) => ({ cycleId: id, startedAt: at(minutes), endedAt: at(minutes + 1), outcome: 'ok' as const, runsSeen: 0, runsWritten: 0, failedRuns: 0, warnings: 0, report: {}, toolVersion: 't' });
    const before = async (cycleId: string, minutes: number) => (await store().readAssessmentSnapshot([{ platform: 'databricks', scope: 'ws-1' }], { now: at(minutes), finals: 5, successes: 5, cycleId })).jobs[0]!;
    await store().upsertJobs([job('c1', 0, false)]);
    expect((await before('c1', 0)).jobBefore).toBeNull(); // first sight
    await store().recordCycle(cycle('c1', 0));
    await store().upsertJobs([job('c2', 15, false)]);
    const c2 = await before('c2', 15);
    expect(c2.jobBefore).toEqual({ paused: false, state: 'UNPAUSED' });
    expect(c2.job?.firstSeenAt).toEqual(at(0));
    await store().recordCycle(cycle('c2', 15));
    await store().upsertJobs([job('c3', 30, true)]);
    expect((await before('c3', 30)).jobBefore).toEqual({ paused: false, state: 'UNPAUSED' });
    await store().upsertJobs([job('c3', 31, true)]); // the cycle re-run
    const c3 = await before('c3', 31);
    expect(c3.jobBefore).toEqual({ paused: false, state: 'UNPAUSED' });
    expect(c3.job?.paused).toBe(true);
    await store().recordCycle(cycle('c3', 30));
    expect((await store().readAssessmentSnapshot('all', { now: at(31), finals: 5, successes: 5, cycleId: 'c3' })).previousCycleEndedAt).toEqual(at(16));
    await store().upsertJobs([job('c4', 45, true)]);
    const c4 = await before('c4', 45);
    expect(c4.jobBefore).toEqual({ paused: true, state: 'PAUSED' });
  });
}
