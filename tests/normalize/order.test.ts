import { describe, expect, it } from '@jest/globals';
import { dedupeNewest, isNewer, observationVersion } from '../../normalize/order.js';

const obs = (category: 'queued' | 'running' | 'failed' | 'succeeded', updatedAt: string | null, seen: string) => ({
  status: { category },
  updatedAt: updatedAt ? new Date(updatedAt) : null,
  lastSeenAt: new Date(seen),
  firstSeenAt: new Date(seen),
});

describe('observation order', () => {
  it('prefers the vendor update time, then terminal over running over queued, then the later sighting', () => {
    expect(isNewer(obs('running', '2026-01-02T00:00:00Z', '2026-01-01'), obs('failed', '2026-01-01T00:00:00Z', '2026-01-03'))).toBe(true);
    expect(isNewer(obs('failed', null, '2026-01-01'), obs('running', null, '2026-01-02'))).toBe(true);
    expect(isNewer(obs('running', null, '2026-01-01'), obs('queued', null, '2026-01-02'))).toBe(true);
    expect(isNewer(obs('failed', null, '2026-01-02'), obs('failed', null, '2026-01-01'))).toBe(true);
    expect(isNewer(obs('failed', null, '2026-01-01'), obs('failed', null, '2026-01-01'))).toBe(false);
  });

  it('versions sort as strings in the same order', () => {
    const a = observationVersion(obs('succeeded', '2026-01-01T00:00:00Z', '2026-01-01'));
    const b = observationVersion(obs('running', '2026-01-01T00:00:01Z', '2026-01-01'));
    expect(b > a).toBe(true);
  });

  it('deduplicates a batch to the newest per key and keeps the earliest first sighting', () => {
    const rows = [
      { k: 'b', ...obs('running', null, '2026-01-02') },
      { k: 'a', ...obs('succeeded', null, '2026-01-03') },
      { k: 'b', ...obs('failed', null, '2026-01-01') },
    ];
    const out = dedupeNewest(rows, (r) => r.k);
    expect(out.map((r) => r.k)).toEqual(['a', 'b']);
    expect(out[1]!.status.category).toBe('failed');
    expect(out[1]!.firstSeenAt.toISOString()).toBe('2026-01-01T00:00:00.000Z');
  });
});
