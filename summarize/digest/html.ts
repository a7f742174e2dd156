// The HTML part, written for Outlook desktop's Word engine: nested tables for layout, inline styles on every
// element that needs one, no <style> block, no SVG, no images, no scripts. Every interpolated string goes through
// `escapeHtml`; hrefs come only from `DigestLine.runUrl/jobUrl`, already validated as http(s).
import { escapeHtml as e } from './escape.js';
import type { DigestLine } from './lines.js';

const FONT = 'font-family:Arial,Helvetica,sans-serif;font-size:13px;color:#1f2328';
const HEALTH_COLOR: Record<string, string> = { healthy: '#1a7f37', degraded: '#9a6700', critical: '#cf222e' };

export interface HtmlAssessment {
  label: string;
  health: string;
  headline: string;
  groups: { title: string; likelyCause: string; nextStep: string; confidence: string }[];
}

export interface HtmlSection {
  title: string;
  lines: DigestLine[];
  /** Lines left out of this section. */
  more: number;
}

export interface HtmlDoc {
  title: string;
  team: string;
  assessment: HtmlAssessment;
  sections: HtmlSection[];
  footer: string[];
}

function link(href: string | null, label: string): string {
  return href ? `<a href="${e(href)}" style="color:#0969da">${label}</a>` : '';
}

function lineHtml(l: DigestLine): string {
  const sev = l.severity === 'critical' ? '#cf222e' : '#9a6700';
  const head = [`<b style="color:${sev}">${e(l.platform)}</b>`, `<b>${e(l.subject)}</b>`, e(l.when), ...(l.errorClass ? [e(l.errorClass)] : []), ...l.tags.map(e)].join(' &middot; ');
  const body = [l.error, l.detail].filter((s) => s !== '').map((s) => `<br><span style="color:#57606a">${e(s)}</span>`).join('');
  const links = [link(l.runUrl, 'run'), link(l.jobUrl, 'job')].filter((s) => s !== '').join(' &middot; ');
  return `<tr><td style="${FONT};padding:4px 8px;border-bottom:1px solid #d0d7de">${head}${body}${links ? `<br>${links}` : ''}</td></tr>`;
}

function sectionHtml(s: HtmlSection): string {
  const more = s.more > 0 ? `<tr><td style="${FONT};padding:4px 8px;font-style:italic">${s.more} more (see the JSON report)</td></tr>` : '';
  return (
    `<tr><td style="${FONT};font-size:15px;font-weight:bold;padding:14px 8px 4px 8px">${e(s.title)} (${s.lines.length + s.more})</td></tr>` +
    `<tr><td><table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0">${s.lines.map(lineHtml).join('')}${more}</table></td></tr>`
  );
}

function assessmentHtml(a: HtmlAssessment): string {
  const color = HEALTH_COLOR[a.health] ?? '#57606a';
  const groups = a.groups
    .map(
      (g) =>
        `<tr><td style="${FONT};padding:4px 8px"><b>${e(g.title)}</b> (confidence: ${e(g.confidence)})<br>Likely cause: ${e(g.likelyCause)}<br>Next step: ${e(g.nextStep)}</td></tr>`,
    )
    .join('');
  return (
    `<tr><td style="${FONT};padding:8px;background-color:#f6f8fa;border-left:4px solid ${color}">` +
    `<b style="color:${color}">${e(a.health.toUpperCase())}</b> &middot; <i>${e(a.label)}</i><br>${e(a.headline)}` +
    (groups ? `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0">${groups}</table>` : '') +
    `</td></tr>`
  );
}

export function renderHtml(d: HtmlDoc): string {
  return (
    `<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"><title>${e(d.title)}</title></head>` +
    `<body style="margin:0;padding:0;background-color:#ffffff">` +
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="max-width:900px">` +
    `<tr><td style="${FONT};font-size:18px;font-weight:bold;padding:8px">${e(d.title)}</td></tr>` +
    `<tr><td style="${FONT};padding:0 8px 8px 8px">Team: ${e(d.team)}</td></tr>` +
    assessmentHtml(d.assessment) +
    d.sections.map(sectionHtml).join('') +
    `<tr><td style="${FONT};font-size:11px;color:#57606a;padding:14px 8px">${d.footer.map(e).join('<br>')}</td></tr>` +
    `</table></body></html>`
  );
}
