import { describe, expect, it } from '@jest/globals';
import type { Incident } from '../../normalize/incident.js';
import type { AuditReport, FailedRunSummary, ScopeReport } from '../../summarize/report.js';
import { annotations, md, renderStepSummary, SUMMARY_MAX_BYTES, type DeliveryOutcome } from '../../summarize/step-summary.js';

const XSS = '<img src=x onerror=alert(1)>';
const FORGED = '| forged | row |';

function scope(over: Partial<ScopeReport> = {}): ScopeReport {
  return {
    platform: 'databricks', scope: 'adb-1.azuredatabricks.net', complete: true, window: null, coveredUntil: null,
    chunks: { planned: 1, committed: 1 }, runsSeen: 10, runsInserted: 4, runsUpdated: 1, runsRejected: 0, jobsSeen: 3,
    failedRuns: 1, requests: 2, retries: 0, throttled: 0, warnings: [], incomplete: [], gaps: [], error: null, ...over,
  }; // prettier-ignore
}

function failed(over: Partial<FailedRunSummary> = {}): FailedRunSummary {
  return {
    platform: 'airbyte', scope: 'ws', jobId: 'conn-1', jobName: 'nightly sync', runId: 'r1', status: 'failed',
    startedAt: '2026-11-20T10:00:00.000Z', endedAt: null, errorClass: 'auth', error: 'token expired', url: 'https://cloud.airbyte.com/run/1', ...over,
  }; // prettier-ignore
}

function report(over: Partial<AuditReport> = {}): AuditReport {
  return {
    cycleId: 'c-1', toolVersion: '0.1.0', startedAt: '2026-11-20T10:00:00.000Z', endedAt: '2026-11-20T10:01:00.000Z',
    dryRun: false, outcome: 'partial', store: { kind: 'duckdb', ok: true, error: null },
    scopes: [scope()], notEnabled: [{ platform: 'powerautomate', reason: 'no credentials configured (DATAVERSE_URL …)' }],
    blindSpots: [], totals: { runsSeen: 10, runsWritten: 5, failedRuns: 1, warnings: 0, requests: 2 }, failedRuns: [failed()], ...over,
  }; // prettier-ignore
}

const T0 = new Date('2026-11-20T09:00:00Z');
function incident(over: Partial<Incident> = {}): Incident {
  return {
    id: 'i1', fingerprint: 'databricks|ws|42|failed', kind: 'failed', platform: 'databricks', scope: 'ws', jobId: '42',
    jobName: 'load orders', team: 'data', severity: 'critical', state: 'open', openedAt: T0, updatedAt: T0, lastSeenAt: T0,
    resolvedAt: null, streak: 3, lastRunId: 'r9', lastRunAt: T0, runUrl: 'https://adb-1.azuredatabricks.net/#job/42/run/9',
    jobUrl: null, errorClass: 'timeout', errorText: 'Task timed out', detail: '3 failures in a row', parentId: null,
    flapping: false, silencedUntil: null, acknowledged: false, ...over,
  }; // prettier-ignore
}

/** Table cells of a markdown row: split on pipes that are not backslash-escaped. */
const cells = (row: string): string[] => row.split(/(?<!\\)\|/).slice(1, -1);
const rowsOf = (text: string, header: string): string[] => {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith(header));
  const rows: string[] = [];
  for (const l of lines.slice(start + 2)) {
    if (!l.startsWith('|')) break;
    rows.push(l);
  }
  return rows;
};

describe('md', () => {
  it('escapes every markdown-active character and keeps one line', () => {
    expect(md('a|b')).toBe('a\\|b');
    expect(md(XSS)).toBe('\\<img src\\=x onerror\\=alert\\(1\\)\\>');
    expect(md('# title')).toBe('\\# title');
    expect(md('[click](javascript:alert(1))')).not.toMatch(/(?<!\\)[[\]()]/);
    expect(md('`code` *bold* _x_ ~y~ &lt;')).toBe('\\`code\\` \\*bold\\* \\_x\\_ \\~y\\~ \\&lt\\;');
    expect(md('line one\nline two\r\n# three')).toBe('line one line two \\# three');
    expect(md('see https://evil.example/x')).not.toContain('https://');
    expect(md('x\u202Eevil')).toContain('[U+202E]'.replace(/[[\]+]/g, (c) => `\\${c}`));
  });

  it('bounds the text before escaping', () => {
    expect(md('x'.repeat(10_000), 50).length).toBe(50);
  });
});

describe('renderStepSummary', () => {
  it('shows platforms monitored and not monitored, counts and failed runs with a link to the run', () => {
    const text = renderStepSummary(report());
    expect(text).toContain('| databricks | adb\\-1\\.azuredatabricks\\.net | complete | 10 (4, 1) | 1 | 3 |');
    expect(text).toMatch(/\| powerautomate \| \| not monitored: no credentials configured \\\(DATAVERSE\\_URL …\\\) \|/);
    expect(text).toContain('Runs seen **10**, written **5**, failed **1**');
    expect(text).toContain('[run](<https://cloud.airbyte.com/run/1>)');
    expect(text).not.toContain('### Incidents');
    expect(text).not.toContain('### Deliveries');
  });

  it('renders hostile vendor strings as text in every field', () => {
    const hostile = `${XSS}${FORGED}\n# heading [x](https://evil.example) \`tick\``;
    const text = renderStepSummary(
      report({
        scopes: [scope({ scope: hostile, error: hostile }), scope({ scope: FORGED, complete: false, incomplete: [hostile] })],
        notEnabled: [{ platform: 'snowflake', reason: hostile }],
        blindSpots: [{ platform: 'databricks', scope: hostile, reason: hostile }],
        store: { kind: 'snowflake', ok: false, error: hostile },
        failedRuns: [failed({ jobName: hostile, error: hostile, errorClass: FORGED, status: FORGED, url: 'javascript:alert(1)' })],
      }),
      {
        incidents: [incident({ jobName: hostile, errorText: hostile, errorClass: XSS, runUrl: 'javascript:alert(1)', jobUrl: 'https://user:pw@x.example/' })],
        deliveries: [{ team: hostile, status: 'failed', transport: FORGED, reason: hostile }],
      },
    );
    expect(text).not.toMatch(/(?<!\\)<img/);
    expect(text).not.toContain('javascript:');
    expect(text).not.toContain('user:pw');
    expect(text).not.toMatch(/^#\s*heading/m);
    expect(text).not.toMatch(/^\s*-?\s*# /m);
    expect(text).not.toMatch(/(?<!\\)`/);
    // The only links are the ones the renderer made from safe URLs: none here.
    expect(text).not.toMatch(/\]\(/);
    // Each table keeps its column count: no forged cell, no forged row.
    const tables: [string, number][] = [['| platform | scope |', 6], ['| severity |', 8], ['| platform | job |', 6], ['| team |', 4]];
    for (const [header, columns] of tables) {
      const rows = rowsOf(text, header);
      expect(rows.length).toBeGreaterThan(0);
      for (const r of rows) expect(cells(r)).toHaveLength(columns);
    }
    expect(rowsOf(text, '| platform | scope |')).toHaveLength(3);
    expect(text.split('\n').filter((l) => l.includes('forged')).every((l) => l.includes('\\| forged \\| row \\|'))).toBe(true);
  });

  it('counts incidents by severity and lists the worst first', () => {
    const text = renderStepSummary(report(), {
      incidents: [
        incident({ id: 'a', fingerprint: 'a', severity: 'warning', jobName: 'slow job', kind: 'too_long' }),
        incident({ id: 'b', fingerprint: 'b', jobName: 'broken job' }),
        incident({ id: 'c', fingerprint: 'c', state: 'resolved', jobName: 'fixed job' }),
        incident({ id: 'd', fingerprint: 'd', kind: 'blind_spot', jobId: '', jobName: null, scope: 'ws-9', flapping: true }),
      ],
    });
    expect(text).toContain('### Incidents: 2 critical, 1 warning open; 1 resolved');
    const rows = rowsOf(text, '| severity |');
    expect(rows.map((r) => cells(r)[2]!.trim())).toEqual(['broken job', 'ws\\-9', 'slow job']);
    expect(rows[1]).toContain('blind spot (flapping)');
    expect(rows[0]).toContain('[run](<https://adb-1.azuredatabricks.net/#job/42/run/9>)');
    expect(text).not.toContain('fixed job');
  });

  it('reports deliveries per team with the reason', () => {
    const deliveries: DeliveryOutcome[] = [
      { team: 'data', status: 'sent', transport: 'smtp' },
      { team: 'bi', status: 'failed', transport: 'graph', reason: '429 throttled' },
      { team: 'ops', status: 'skipped', reason: 'nothing to report' },
    ];
    const text = renderStepSummary(report(), { deliveries });
    expect(text).toContain('### Deliveries: 1 sent, 1 failed, 1 skipped');
    expect(rowsOf(text, '| team |')).toEqual(['| data | sent | smtp |  |', '| bi | **failed** | graph | 429 throttled |', '| ops | skipped |  | nothing to report |']);
  });

  it('stays under 64 KB, saying how much more there is', () => {
    const many = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));
    const long = '€'.repeat(5000);
    const text = renderStepSummary(
      report({
        scopes: many(3000, (i) => scope({ scope: `scope-${i}-${long}`, complete: i % 2 === 0, incomplete: [long] })),
        blindSpots: many(2000, (i) => ({ platform: 'airbyte', scope: `ws-${i}`, reason: long })),
        failedRuns: many(5000, (i) => failed({ runId: `r${i}`, jobName: long, error: long })),
      }),
      {
        incidents: many(5000, (i) => incident({ id: `i${i}`, fingerprint: `f${i}`, jobName: long, errorText: long })),
        deliveries: many(3000, (i) => ({ team: `team-${i}-${long}`, status: 'failed', reason: long })),
      },
    );
    expect(Buffer.byteLength(text, 'utf8')).toBeLessThan(SUMMARY_MAX_BYTES);
    expect(text).toContain('more scopes (see the JSON report)');
    expect(text).toMatch(/more lines cut to keep this summary under 64 KB/);
  });

  it('is pure: the same input gives the same text', () => {
    const r = report();
    const e = { incidents: [incident()] };
    expect(renderStepSummary(r, e)).toBe(renderStepSummary(r, e));
  });
});

describe('annotations', () => {
  it('makes blind spots and failed deliveries errors, incomplete scopes warnings', () => {
    const list = annotations(
      report({
        scopes: [scope(), scope({ scope: 'ws-2', complete: false, incomplete: ['page cap 10000 reached'] }), scope({ scope: 'ws-3', error: '401' })],
        blindSpots: [{ platform: 'databricks', scope: 'ws-3', reason: '401 Unauthorized' }],
      }),
      { deliveries: [{ team: 'data', status: 'failed', transport: 'smtp', reason: '550 mailbox unavailable' }, { team: 'ops', status: 'sent' }] },
    );
    expect(list).toEqual([
      { level: 'error', title: 'pipeline-audit blind spot: databricks ws-3', message: '401 Unauthorized' },
      { level: 'error', title: 'pipeline-audit delivery failed: data', message: 'smtp: 550 mailbox unavailable (retried next cycle)' },
      { level: 'warning', title: 'pipeline-audit incomplete: databricks ws-2', message: 'page cap 10000 reached' },
    ]);
  });

  it('reports a store that could not be written, one line per annotation', () => {
    const list = annotations(report({ store: { kind: 'snowflake', ok: false, error: 'warehouse\nsuspended' } }));
    expect(list).toEqual([{ level: 'error', title: 'pipeline-audit: store not writable', message: 'warehouse suspended' }]);
  });

  it('keeps at most 10 per level, the last saying how many more', () => {
    const blindSpots = Array.from({ length: 25 }, (_, i) => ({ platform: 'airbyte' as const, scope: `ws-${i}`, reason: 'down' }));
    const list = annotations(report({ blindSpots }));
    expect(list).toHaveLength(10);
    expect(list[9]).toEqual({ level: 'error', title: 'pipeline-audit: 16 more', message: '16 more of this kind: see the job summary and the JSON report' });
  });
});
