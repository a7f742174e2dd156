// The on-call commands' parsing and text, in-process: usage errors, --now and --for, and the renderers with a
// team zone (times in UTC and the team's zone with its offset). The spawned commands are in oncall.test.ts.
import { describe, expect, it } from '@jest/globals';
import { UsageError, parseCommandLine, parseDuration, parseNow } from '../../bin/args.js';
import { authorOf } from '../../bin/oncall-store.js';
import { groupByTeam, renderIncidents, renderStatus } from '../../bin/oncall-status.js';
import { silenceCovers, silenceId } from '../../bin/oncall-silence.js';
import { renderRetry, renderQuarantine } from '../../bin/quarantine.js';
import { incident } from '../summarize/digest/fixtures.js';

const NOW = new Date('2026-03-29T08:00:00Z');
const zones = (team: string) => (team === 'data-eng' ? 'Europe/Paris' : team === 'ny' ? 'America/New_York' : null);

function usage(argv: string[]): string {
  try {
    parseCommandLine(argv, NOW);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error(`no usage error for ${argv.join(' ')}`);
}

describe('on-call command lines', () => {
  it('parses each command with its positional, subcommand and options', () => {
    const s = parseCommandLine(['silence', 'nightly*', '--for', '4h', '--reason', 'maintenance', '--now', '2026-03-29T10:00+02:00'], NOW);
    expect([s.command, s.target, s.forMs, s.reason, s.now?.toISOString()]).toEqual(['silence', 'nightly*', 4 * 3_600_000, 'maintenance', '2026-03-29T08:00:00.000Z']);
    const q = parseCommandLine(['quarantine', 'retry', '--json'], NOW);
    expect([q.command, q.subcommand, q.json]).toEqual(['quarantine', 'retry', true]);
    const i = parseCommandLine(['incidents', '--all', '--job', 'a*', '--limit', '5'], NOW);
    expect([i.all, i.job, i.limit]).toEqual([true, 'a*', 5]);
    // --since counts back from --now.
    expect(parseCommandLine(['run', '--now', '2026-03-29T08:00Z', '--since', '6h'], new Date('2030-01-01T00:00Z')).since?.toISOString()).toBe('2026-03-29T02:00:00.000Z');
    expect(parseCommandLine(['explain', '--help'], NOW).help).toBe(true);
  });

  it('refuses what cannot be run as written', () => {
    expect(usage(['explain'])).toMatch(/explain: name the JOB/);
    expect(usage(['ack', 'a', 'b'])).toMatch(/ack: unexpected argument 'b'/);
    expect(usage(['status', 'x'])).toMatch(/status: unexpected argument 'x'/);
    expect(usage(['status', '--now', '2026-11-23T12:00'])).toMatch(/status: --now: '2026-11-23T12:00' is not an ISO instant with a zone/);
    expect(usage(['status', '--now', 'yesterday'])).toMatch(/not an ISO instant/);
    expect(usage(['silence', 'x', '--for', '31d', '--reason', 'r'])).toMatch(/silence: --for: '31d' is longer than 30 days/);
    expect(usage(['silence', 'x', '--for', 'soon', '--reason', 'r'])).toMatch(/not a duration like 30m/);
    expect(usage(['silence', 'x', '--for', '4h'])).toMatch(/--reason is required/);
    expect(usage(['silence', 'x', '--reason', 'r'])).toMatch(/--for is required/);
    expect(usage(['status', '--all'])).toMatch(/status: unknown option --all \(it belongs to incidents\)/);
    expect(usage(['unsilence', 'x', '--now', '2026-03-29T08:00Z'])).toMatch(/unsilence: unknown option --now/);
    expect(usage(['demo', '--now', '2026-03-29T08:00Z'])).toMatch(/demo: unknown option --now/);
    expect(usage(['quarantine'])).toMatch(/subcommand is 'quarantine list' or 'quarantine retry'/);
    expect(usage(['quarantine', 'purge'])).toMatch(/unknown or missing subcommand 'quarantine purge'/);
    expect(usage(['incidents', '--limit', '0'])).toMatch(/--limit: '0' is not a whole number/);
  });

  it('--now and --for exactly', () => {
    expect(parseNow('2026-03-29T01:30:00.250-05:00').toISOString()).toBe('2026-03-29T06:30:00.250Z');
    for (const bad of ['2026-02-30T00:00Z', '2026-13-01T00:00Z', '2026-03-29T24:00Z', '2026-03-29T08:60Z', '2026-03-29T08:00+25:00']) expect(() => parseNow(bad)).toThrow(UsageError);
    expect(parseNow('2028-02-29T00:00Z').toISOString()).toBe('2028-02-29T00:00:00.000Z');
    expect(parseDuration('30m')).toBe(1_800_000);
    expect(parseDuration('2d')).toBe(172_800_000);
    expect(parseDuration('30d')).toBe(30 * 86_400_000);
    expect(() => parseDuration('0h')).toThrow(UsageError);
  });
});

describe('on-call text', () => {
  const paris = incident({ team: 'data-eng', severity: 'warning', openedAt: new Date('2026-03-29T07:00:00Z') });
  const parisCritical = incident({ team: 'data-eng', severity: 'critical', openedAt: new Date('2026-03-29T01:30:00Z'), silencedUntil: new Date('2026-03-29T12:00:00Z'), acknowledged: true });
  const ny = incident({ team: 'ny', kind: 'blind_spot', jobId: '', jobName: null, scope: 'ws\u202e9', openedAt: new Date('2026-03-29T06:00:00Z') });

  it('status: teams by name, critical first, times in UTC and in the team zone across a DST change', () => {
    const teams = groupByTeam([paris, ny, parisCritical], zones);
    expect(teams.map((t) => [t.team, t.timezone, t.incidents.map((i) => i.id)])).toEqual([
      ['data-eng', 'Europe/Paris', [parisCritical.id, paris.id]],
      ['ny', 'America/New_York', [ny.id]],
    ]);
    const text = renderStatus({ at: NOW, open: 3, critical: 1, blindSpots: 1, lastCycle: null, teams, silences: [] });
    expect(text).toContain('data-eng (Europe/Paris): 2 open');
    // Paris changed to CEST at 01:00 UTC that day: 01:30 UTC is 03:30 CEST, +02:00.
    expect(text).toContain('open for 6h 30m, since 2026-03-29 01:30 UTC (03:30 CEST, +02:00)');
    expect(text).toContain('silenced until 2026-03-29 12:00 UTC (14:00 CEST, +02:00); acknowledged');
    expect(text).toContain('since 2026-03-29 06:00 UTC (02:00 EDT, -04:00)');
    expect(text).toContain('blind spot       databricks ws\\u202e9');
    expect(text).not.toContain('\u202e');
    expect(text.indexOf(parisCritical.id)).toBeLessThan(text.indexOf(paris.id));
  });

  it('incidents: a row each, the resolved time for resolved ones, in the team zone', () => {
    const resolved = incident({ team: 'ny', state: 'resolved', resolvedAt: new Date('2026-03-29T04:00:00Z'), jobName: 'a\nb' });
    const text = renderIncidents([paris, resolved], zones, true);
    const lines = text.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain('opened 2026-03-29 07:00 UTC (09:00 CEST, +02:00)');
    expect(lines[2]).toContain('resolved 2026-03-29 04:00 UTC (00:00 EDT, -04:00)');
    expect(lines[2]).toContain('a\\nb');
    expect(renderIncidents([], zones, false)).toMatch(/No open incidents/);
  });

  it('silences: what a match covers, a deterministic id; the author', () => {
    expect(silenceCovers(paris.id, paris)).toBe(true);
    expect(silenceCovers(paris.fingerprint, paris)).toBe(true);
    expect(silenceCovers('NIGHTLY_LOAD_*', paris)).toBe(true);
    expect(silenceCovers('*', ny)).toBe(false); // a job glob never covers a scope-level incident
    expect(silenceId('x', NOW, NOW)).toBe(silenceId('x', NOW, NOW));
    expect(silenceId('x', NOW, NOW)).not.toBe(silenceId('y', NOW, NOW));
    expect(authorOf(undefined, { GITHUB_ACTOR: 'octo', USER: 'runner' })).toBe('octo');
    expect(authorOf(undefined, { USER: 'me' })).toBe('me');
    expect(authorOf('  ', {})).toBe('cli');
    expect(authorOf('alice', { USER: 'me' })).toBe('alice');
  });

  it('quarantine: no payload in the text, vendor strings escaped, the re-read command', () => {
    const item = { platform: 'databricks', scope: 'ws\n1', itemId: 'r\u001b[31m', reason: 'bad\u2028x', payload: '{"secret":"PAYLOAD"}', cycleId: 'c', at: NOW };
    const list = renderQuarantine([item]);
    expect(list).not.toContain('PAYLOAD');
    expect(list).toContain('ws\\n1  item r\\x1b[31m');
    expect(list).toContain('bad\\u2028x');
    const retry = renderRetry({ stored: 2, stillInvalid: [{ item, reason: 'durationMs: too small' }], reread: [{ platform: 'airbyte', scope: 'w', since: NOW, items: 3 }] });
    expect(retry).toContain('stored 2 item(s)');
    expect(retry).toContain('item r\\x1b[31m: durationMs: too small');
    expect(retry).toContain('pipeline-audit run --platform airbyte --since 2026-03-29T08:00:00.000Z');
  });
});
