// The plain-text part: the same content as the HTML, one incident per block, links as bare URLs (only the
// validated run/job URLs; untrusted text was defanged so clients do not link it).
import type { DigestLine } from './lines.js';
import type { HtmlDoc } from './html.js';

function lineText(l: DigestLine): string {
  const head = `- [${l.severity}] ${l.platform} | ${l.subject} | ${l.when}${l.errorClass ? ` | ${l.errorClass}` : ''}${l.tags.length ? ` | ${l.tags.join(', ')}` : ''}`;
  const rest = [l.error, l.detail].filter((s) => s !== '').map((s) => `    ${s}`);
  if (l.runUrl) rest.push(`    run: ${l.runUrl}`);
  if (l.jobUrl) rest.push(`    job: ${l.jobUrl}`);
  return [head, ...rest].join('\n');
}

export function renderText(d: HtmlDoc): string {
  const out: string[] = [d.title, `Team: ${d.team}`, ''];
  const a = d.assessment;
  out.push(`${a.health.toUpperCase()} (${a.label})`, a.headline);
  for (const g of a.groups) out.push(`* ${g.title} (confidence: ${g.confidence})`, `  Likely cause: ${g.likelyCause}`, `  Next step: ${g.nextStep}`);
  for (const s of d.sections) {
    out.push('', `== ${s.title} (${s.lines.length + s.more}) ==`);
    for (const l of s.lines) out.push(lineText(l));
    if (s.more > 0) out.push(`${s.more} more (see the JSON report)`);
  }
  out.push('', '--', ...d.footer);
  return `${out.join('\n')}\n`;
}
