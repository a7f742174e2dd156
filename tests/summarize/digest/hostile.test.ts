import { describe, it, expect } from '@jest/globals';
import { renderDigest, type DigestAssessment } from '../../../summarize/digest/index.js';
import { notice, team, OPTS } from './fixtures.js';

const XSS = `<img src=x onerror=alert(1)>"'&`;
const LINKY = 'see https://evil.example/login and www.evil.example';

const hostileTeam = () =>
  team(
    [
      notice('new', {
        jobName: `${XSS}job`,
        scope: `${XSS}scope`,
        errorClass: `${XSS}class`,
        errorText: `${XSS}err ${LINKY}\r\nBcc: victim@example.com\u202Egnp.exe\u0000`,
        detail: `${XSS}detail`,
        runUrl: 'javascript:alert(1)',
        jobUrl: 'https://user:secret@x.example/job',
      }),
      notice('recovered', { jobName: 'ok', runUrl: 'https://x.example/r?a=1&b="2"', jobUrl: 'data:text/html,<script>1</script>' }),
    ],
    { team: `${XSS}team`, timezone: `${XSS}zone` },
  );

const hostileModel: DigestAssessment = {
  source: 'model',
  model: `${XSS}model`,
  health: 'critical',
  headline: `${XSS}headline ${LINKY}`,
  groups: [{ id: XSS, title: `${XSS}title`, likelyCause: `${XSS}cause <a href="https://evil.example">x</a>`, nextStep: `${XSS}next ${LINKY}`, confidence: XSS }],
};

describe('renderDigest: hostile strings', () => {
  const d = renderDigest(hostileTeam(), hostileModel, { ...OPTS, cycleId: `${XSS}cycle`, from: `${XSS}@from`, reportPath: `${XSS}/report.json` });

  it('escapes every platform and model string in the HTML so no tag or attribute comes from them', () => {
    expect(d.html).not.toContain('<img');
    expect(d.html).not.toContain('onerror=alert(1)>');
    expect(d.html).not.toContain('<script');
    for (const field of ['job', 'scope', 'class', 'err', 'detail', 'team', 'zone', 'model', 'headline', 'title', 'cause', 'next', 'cycle', '@from', '/report.json']) {
      expect(d.html).toContain(`&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;${field}`);
    }
  });

  it('makes links only from valid http(s) run/job URLs, escaped in the attribute', () => {
    const hrefs = [...d.html.matchAll(/<a href="([^"]*)"/g)].map((m) => m[1]);
    expect(hrefs).toEqual(['https://x.example/r?a=1&amp;b=%222%22']);
    expect(d.html.match(/<a /g)).toHaveLength(1);
    expect(d.text).not.toContain('javascript:');
    expect(d.text).not.toContain('secret');
    expect(d.text).not.toContain('data:text');
  });

  it('defangs URLs in error and model text so mail clients do not link them', () => {
    expect(d.html).not.toContain('https://evil.example');
    expect(d.text).not.toContain('https://evil.example');
    expect(d.text).toContain('https[:]//evil.example/login and www[.]evil.example');
  });

  it('shows control and bidi characters instead of obeying them, and keeps each field on one line', () => {
    expect(d.text).toContain('err see https[:]//evil.example/login and www[.]evil.example Bcc: victim@example.com[U+202E]gnp.exe[U+0000]');
    // eslint-disable-next-line no-control-regex
    expect(d.text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u202e]/);
    // eslint-disable-next-line no-control-regex
    expect(d.html).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u202e]/);
    expect(d.text).toContain('Team: <img src=x onerror=alert(1)>"\'&team');
  });

  it('falls back to UTC for an unknown zone and says so', () => {
    expect(d.text).toContain('2026-03-29 04:10 UTC |');
    expect(d.text).toContain('is unknown; times are in UTC');
  });

  it('keeps the subject free of vendor text', () => {
    expect(d.subject).toBe('[pipeline-audit] 1 critical, 1 new, 1 recovered');
  });
});
