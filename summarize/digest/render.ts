// renderDigest: one team's plan (plus the cycle's assessment) to subject, HTML and text. Pure: no clock, no I/O;
// `opts.now` and `opts.cycleId` are the only context. Bounded: at most `maxLinesPerSection` lines per section, and
// the whole message under `maxBytes`, by trimming error texts first and then dropping lines, each step noted.
import type { TeamPlan } from '../../normalize/incident.js';
import { untrusted } from './escape.js';
import { renderHtml, type HtmlAssessment, type HtmlDoc } from './html.js';
import { toLine, NAME_MAX, type LineLimits } from './lines.js';
import { countNotices, groupNotices, highestSeverity, renderSubject, SECTION_TITLES } from './sections.js';
import { renderText } from './text.js';
import { formatWhen, isValidTimeZone } from './time.js';
import { SECTION_IDS, type DigestAssessment, type DigestCounts, type DigestOptions, type RenderedDigest } from './types.js';

export const DEFAULT_MAX_LINES_PER_SECTION = 50;
export const DEFAULT_MAX_BYTES = 100_000;
const MAX_GROUPS = 10;

/** Tried in order until the message fits: shorter error texts first, then fewer lines per section. */
const LADDER: { error: number; detail: number; lines: number | null }[] = [
  { error: 300, detail: 200, lines: null },
  { error: 120, detail: 120, lines: null },
  { error: 40, detail: 80, lines: null },
  { error: 0, detail: 60, lines: null },
  { error: 0, detail: 60, lines: 25 },
  { error: 0, detail: 60, lines: 10 },
  { error: 0, detail: 40, lines: 3 },
  { error: 0, detail: 0, lines: 1 },
  { error: 0, detail: 0, lines: 0 },
];

const HEALTHS = new Set(['healthy', 'degraded', 'critical']);

function assessmentView(a: DigestAssessment | null, counts: Omit<DigestCounts, 'shown'>): HtmlAssessment {
  if (a === null) {
    const health = counts.critical > 0 ? 'critical' : counts.warning > 0 ? 'degraded' : 'healthy';
    const open = counts.critical + counts.warning;
    const headline = `${open} problem${open === 1 ? '' : 's'} to look at (${counts.critical} critical, ${counts.warning} warning), ${counts.bySection.recovered} recovered.`;
    return { label: 'deterministic summary', health, headline, groups: [] };
  }
  const model = untrusted(a.model, 80);
  return {
    label: a.source === 'model' ? `suggested by ${model || 'an unnamed model'}` : 'deterministic summary',
    health: HEALTHS.has(a.health) ? a.health : 'degraded',
    headline: untrusted(a.headline, 500),
    groups: a.groups.slice(0, MAX_GROUPS).map((g) => ({
      title: untrusted(g.title, NAME_MAX),
      likelyCause: untrusted(g.likelyCause, 400),
      nextStep: untrusted(g.nextStep, 400),
      confidence: untrusted(g.confidence, 20),
    })),
  };
}

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

export function renderDigest(team: TeamPlan, assessment: DigestAssessment | null, opts: DigestOptions): RenderedDigest {
  const product = untrusted(opts.productName ?? 'pipeline-audit', 40) || 'pipeline-audit';
  const maxLines = Math.max(0, opts.maxLinesPerSection ?? DEFAULT_MAX_LINES_PER_SECTION);
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const tz = team.timezone && isValidTimeZone(team.timezone) ? team.timezone : null;
  const grouped = groupNotices(team);
  const base = countNotices(grouped);
  const subject = renderSubject(base, product);
  const view = assessmentView(assessment, base);
  const teamName = untrusted(team.team, NAME_MAX);

  const build = (limits: LineLimits, lineCap: number, trimmed: boolean) => {
    let shown = 0;
    const sections = SECTION_IDS.filter((id) => grouped[id].length > 0).map((id) => {
      const kept = grouped[id].slice(0, lineCap);
      shown += kept.length;
      return { title: SECTION_TITLES[id], lines: kept.map((n) => toLine(n, id, tz, limits)), more: grouped[id].length - kept.length };
    });
    const footer = [
      `${product} cycle ${untrusted(opts.cycleId, 80)}, rendered ${formatWhen(opts.now, tz)}, sent from ${untrusted(opts.from, 200)}.`,
      ...(team.timezone && !tz ? [`The configured time zone ${untrusted(team.timezone, 60)} is unknown; times are in UTC.`] : []),
      ...(opts.reportPath ? [`Full report: ${untrusted(opts.reportPath, 300)}`] : []),
      ...(trimmed ? [`Parts of this message were shortened to keep it under ${Math.floor(maxBytes / 1000)} KB; the JSON report has everything.`] : []),
    ];
    const doc: HtmlDoc = { title: `${product}: ${subject.slice(product.length + 3)}`, team: teamName, assessment: view, sections, footer };
    const html = renderHtml(doc);
    const text = renderText(doc);
    return { html, text, shown, size: bytes(subject) + bytes(html) + bytes(text) };
  };

  let out = build(LADDER[0]!, maxLines, false);
  for (let i = 1; out.size > maxBytes && i < LADDER.length; i++) {
    const step = LADDER[i]!;
    out = build(step, Math.min(maxLines, step.lines ?? maxLines), true);
  }
  const counts: DigestCounts = { ...base, shown: out.shown };
  return { subject, html: out.html, text: out.text, sizeBytes: out.size, counts, highestSeverity: highestSeverity(base) };
}
