import { describe, it, expect } from '@jest/globals';
import { renderDigest, type DigestAssessment } from '../../../summarize/digest/index.js';
import type { PlannedNotice } from '../../../normalize/incident.js';
import { notice, team, OPTS } from './fixtures.js';

const MB = 'x'.repeat(1024 * 1024);
const reasons = ['new', 'reminder', 'recovered', 'flapping', 'blind_spot'] as const;

describe('renderDigest: size bounds', () => {
  it('keeps 10,000 incidents with 1 MB error strings under 100 KB, with "N more" per section', () => {
    const notices: PlannedNotice[] = Array.from({ length: 10_000 }, (_, i) =>
      notice(reasons[i % reasons.length]!, { errorText: MB, detail: MB, jobName: `job_${i}_${'n'.repeat(500)}`, kind: i % 7 === 0 ? 'too_long' : 'failed' }),
    );
    const bigModel: DigestAssessment = { source: 'model', model: 'm', health: 'critical', headline: MB, groups: Array.from({ length: 100 }, (_, i) => ({ id: `${i}`, title: MB, likelyCause: MB, nextStep: MB, confidence: MB })) };
    const d = renderDigest(team(notices), bigModel, OPTS);
    expect(d.sizeBytes).toBeLessThanOrEqual(100_000);
    expect(d.counts.total).toBe(10_000);
    expect(d.counts.shown).toBeLessThan(10_000);
    expect(d.text).toMatch(/\d+ more \(see the JSON report\)/);
    expect(d.text).toContain('shortened to keep it under 100 KB');
  });

  it('trims error texts before dropping lines', () => {
    const notices = Array.from({ length: 120 }, () => notice('new', { errorText: MB }));
    const full = renderDigest(team(notices), null, { ...OPTS, maxBytes: 10_000_000 });
    expect(full.counts.shown).toBe(50);
    expect(full.text).toContain(`${'x'.repeat(299)}…`);
    const tight = renderDigest(team(notices), null, { ...OPTS, maxBytes: 60_000 });
    expect(tight.sizeBytes).toBeLessThanOrEqual(60_000);
    expect(tight.counts.shown).toBe(50);
    expect(tight.text).not.toContain('x'.repeat(300));
  });

  it('drops lines once error texts are gone and it still does not fit', () => {
    const notices = Array.from({ length: 300 }, (_, i) => notice(i % 2 ? 'new' : 'reminder'));
    const d = renderDigest(team(notices), null, { ...OPTS, maxBytes: 20_000 });
    expect(d.sizeBytes).toBeLessThanOrEqual(20_000);
    expect(d.counts.shown).toBeLessThan(100);
    expect(d.text).toContain(`${150 - d.counts.shown / 2} more (see the JSON report)`);
  });
});
