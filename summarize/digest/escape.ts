// Untrusted text (job names, error text, model output, team names) passes through here before it reaches the
// message. Three threats: markup injection (escape), spoofing with control or bidi characters (make visible),
// and links made by the mail client from bare URLs in untrusted text (defang), since no link may come from error
// text or model output. Only incident.runUrl/jobUrl become links, and only after `safeHttpUrl`.

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

// C0/C1 controls, bidi overrides/isolates, zero-width characters, line/paragraph separators, BOM.
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

/** One-line, visible form of untrusted text: whitespace runs (CR, LF, tab) collapse to a space; other invisible characters show as `[U+XXXX]`. */
export function visible(s: string): string {
  return s
    .replace(/[\r\n\t]+/g, ' ')
    .replace(INVISIBLE, (c) => `[U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}]`)
    .replace(/ {2,}/g, ' ')
    .trim();
}

/** Break URL-like patterns so mail clients do not auto-link them (`https://x` → `https[:]//x`, `www.` → `www[.]`). */
export function defang(s: string): string {
  return s.replace(/\b([a-z][a-z0-9+.-]{1,20}):\/\//gi, '$1[:]//').replace(/\bwww\./gi, 'www[.]');
}

/** Cut to at most `max` characters (code points), marking the cut with an ellipsis. `max` 0 gives ''. */
export function truncate(s: string, max: number): string {
  if (max <= 0) return '';
  const cps = Array.from(s);
  return cps.length <= max ? s : `${cps.slice(0, Math.max(0, max - 1)).join('')}…`;
}

/**
 * Untrusted text made safe for either part: bounded first (a 1 MB error is not scanned whole), then visible and
 * defanged. HTML callers still escape the result.
 */
export function untrusted(s: string | null | undefined, max: number): string {
  if (s === null || s === undefined) return '';
  // Cap before the regex passes: the cut is re-applied after `visible` may have lengthened the text.
  const head = s.length > max * 4 + 16 ? s.slice(0, max * 4 + 16) : s;
  return truncate(defang(visible(head)), max);
}

/** The URL if it is an absolute http(s) URL without credentials and of sane length; null otherwise. */
export function safeHttpUrl(raw: string | null | undefined): string | null {
  if (!raw || raw.length > 2048) return null;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return null;
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return null;
  if (u.username || u.password) return null;
  return u.href;
}
