import { describe, it, expect } from '@jest/globals';
import { renderDigest, type DigestAssessment } from '../../../summarize/digest/index.js';
import { notice, team, OPTS } from './fixtures.js';

const mixed = () =>
  team([
    notice('recovered', { severity: 'warning', resolvedAt: new Date('2026-03-29T04:00:00Z'), jobName: 'rec_job' }),
    notice('new', { jobName: 'new_a' }),
    notice('new', { jobName: 'new_b', severity: 'warning' }),
    notice('reminder', { jobName: 'old_fail', streak: 7 }),
    notice('changed', { jobName: 'changed_fail', streak: 3 }),
    notice('new', { kind: 'missed_schedule', jobName: 'late_job', severity: 'warning', errorClass: null, errorText: null }),
    notice('flapping', { jobName: 'flappy', flapping: true }),
    notice('blind_spot', { kind: 'blind_spot', jobId: '', jobName: null, scope: 'prod-airbyte', platform: 'airbyte', errorClass: 'AUTH', runUrl: null, jobUrl: null }),
  ]);

const assessment: DigestAssessment = {
  source: 'model',
  model: 'gpt-4.1-mini',
  health: 'critical',
  headline: 'Two Databricks jobs fail on the same driver error.',
  groups: [{ id: 'g1', title: 'Driver crashes', likelyCause: 'Cluster out of memory', nextStep: 'Raise the driver size', confidence: 'medium' }],
};

describe('renderDigest: subject, sections and counts', () => {
  it('puts counts and the highest severity in the subject, in a fixed order', () => {
    const d = renderDigest(mixed(), assessment, OPTS);
    expect(d.subject).toBe('[pipeline-audit] 5 critical, 1 blind spot, 2 new, 2 still failing, 1 recovered, 1 missed or late, 1 flapping');
    expect(d.highestSeverity).toBe('critical');
    expect(d.counts).toMatchObject({ total: 9 - 1, critical: 5, warning: 2, shown: 8 });
  });

  it('says warnings when nothing is critical, and the product name is configurable', () => {
    const d = renderDigest(team([notice('new', { severity: 'warning' }), notice('recovered', { severity: 'critical' })]), null, { ...OPTS, productName: 'acme\r\nBcc: x@evil' });
    expect(d.subject).toBe('[acme Bcc: x@evil] 1 warning, 1 new, 1 recovered');
    expect(d.subject).not.toMatch(/[\r\n]/);
  });

  it('orders sections Blind spots, New, Still failing, Recovered, Missed or late, Flapping in both parts', () => {
    const d = renderDigest(mixed(), assessment, OPTS);
    const titles = ['Blind spots', 'New', 'Still failing', 'Recovered', 'Missed or late', 'Flapping'];
    for (const body of [d.html, d.text]) {
      const idx = titles.map((t) => body.indexOf(`${t} (`));
      expect(idx.every((i) => i > 0)).toBe(true);
      expect([...idx].sort((a, b) => a - b)).toEqual(idx);
    }
    const still = d.text.slice(d.text.indexOf('== Still failing'), d.text.indexOf('== Recovered'));
    expect(still).toContain('old_fail');
    expect(still).toContain('7 in a row');
    expect(still).toContain('reminder');
    expect(still).toContain('changed_fail');
    expect(d.text.slice(d.text.indexOf('== Missed or late'))).toContain('late_job');
  });

  it('marks a model assessment as suggested by the model and a fallback as deterministic', () => {
    const m = renderDigest(mixed(), assessment, OPTS);
    expect(m.html).toContain('suggested by gpt-4.1-mini');
    expect(m.text).toContain('Likely cause: Cluster out of memory');
    const f = renderDigest(mixed(), { ...assessment, source: 'fallback', model: null }, OPTS);
    expect(f.html).toContain('deterministic summary');
    expect(f.html).not.toContain('suggested by');
    const none = renderDigest(mixed(), null, OPTS);
    expect(none.text).toContain('CRITICAL (deterministic summary)');
  });

  it('is deterministic: the same input gives byte-identical output whatever the notice order', () => {
    const a = mixed();
    const b = { ...a, notices: [...a.notices].reverse() };
    expect(renderDigest(b, assessment, OPTS)).toEqual(renderDigest(a, assessment, OPTS));
  });

  it('renders each line with platform, job, when, error class, error and the run and job links', () => {
    const d = renderDigest(team([notice('new', { jobName: 'load_sales', runUrl: 'https://x.example/run/9', jobUrl: 'https://x.example/job/9' })]), null, OPTS);
    expect(d.text).toContain('- [critical] databricks | ws1 / load_sales | 2026-03-29 04:10 UTC (06:10 CEST, +02:00) | DRIVER_ERROR');
    expect(d.text).toContain('    Task failed with an exception');
    expect(d.text).toContain('    run: https://x.example/run/9');
    expect(d.html).toContain('<a href="https://x.example/run/9" style="color:#0969da">run</a>');
    expect(d.html).toContain('<a href="https://x.example/job/9" style="color:#0969da">job</a>');
  });

  it('caps a section at 50 lines with a pointer to the JSON report', () => {
    const d = renderDigest(team(Array.from({ length: 60 }, () => notice('new'))), null, OPTS);
    expect(d.counts.shown).toBe(50);
    expect(d.text).toContain('10 more (see the JSON report)');
    expect(d.html).toContain('10 more (see the JSON report)');
    expect(d.html.match(/>run<\/a>/g)).toHaveLength(50);
  });

  it('uses only Outlook-safe HTML: tables, inline styles, no style block, scripts, SVG or images', () => {
    const d = renderDigest(mixed(), assessment, OPTS);
    expect(d.html).toMatch(/^<!DOCTYPE html>/);
    expect(d.html).toContain('<table role="presentation"');
    for (const bad of [/<style/i, /<script/i, /<svg/i, /<img/i, /<link/i, /\bclass=/i, /url\(/i]) expect(d.html).not.toMatch(bad);
    expect(d.sizeBytes).toBe(Buffer.byteLength(d.subject) + Buffer.byteLength(d.html) + Buffer.byteLength(d.text));
  });
});
