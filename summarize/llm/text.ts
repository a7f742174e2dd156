// Small text helpers shared by the facts (untrusted input going to the model) and the output (model text coming
// back). Pure functions, no state.

/** Control characters (C0 except tab/newline, DEL, C1) and the Unicode bidi overrides used to hide text. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/** One line, no control characters, at most `max` characters (an ellipsis marks a cut). */
export function oneLine(text: string, max: number): string {
  const flat = text.replace(CONTROL, '').replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  return `${flat.slice(0, Math.max(0, max - 1)).trimEnd()}…`;
}

// Links the model might write: scheme URLs, www. hosts, bare domains followed by a path, and e-mail addresses
// (an injected "send to attacker@evil.com" must not survive as a contact). The TLD part needs a letter, so
// version numbers such as 1.2.3/4 are left alone.
const SCHEME_URL = /\b(?:https?|ftp|file|mailto|javascript|data):\/?\/?[^\s<>"')\]]*/gi;
const WWW_URL = /\bwww\.[^\s<>"')\]]+/gi;
const BARE_DOMAIN_PATH = /\b(?:[a-z0-9-]+\.)+[a-z][a-z0-9-]*(?::\d+)?\/[^\s<>"')\]]*/gi;
const EMAIL = /\b[\w.+-]+@(?:[a-z0-9-]+\.)+[a-z]{2,}\b/gi;

/** Removes URLs, links and e-mail addresses from text. */
export function stripLinks(text: string): string {
  return text.replace(SCHEME_URL, '').replace(WWW_URL, '').replace(BARE_DOMAIN_PATH, '').replace(EMAIL, '');
}

/**
 * Removes what reads like markup: HTML tags and comments, markdown images and links (their label stays), code
 * fences and backticks, emphasis markers, heading and quote markers, and any angle bracket left over.
 */
export function stripMarkup(text: string): string {
  return text
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<\/?[a-z][^>]*>/gi, '')
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]*)\]\[[^\]]*\]/g, '$1')
    .replace(/```[a-z]*|`/gi, '')
    .replace(/(\*\*|__|~~)/g, '')
    .replace(/(^|\s)[#>]+\s/g, '$1')
    .replace(/[<>]/g, '');
}

/** What the model wrote, made safe to show: no links, no markup, one line, at most `max` characters. */
export function cleanModelText(text: string, max: number): string {
  return oneLine(stripMarkup(stripLinks(stripMarkup(text))), max);
}
