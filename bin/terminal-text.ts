// Vendor strings (job names, statuses, error text) reach the readable log lines on a terminal. There a C0 or C1
// control (ESC, CSI U+009B) can recolour or move the cursor, a newline or U+2028 can forge a line, and a bidi
// override (U+202E) or isolate can reorder what is shown. Each such character is shown as a visible escape instead.
// This mirrors escapeForTerminal in normalize/text.ts (the report's renderer); the CLI keeps its own copy so that
// the logger depends on nothing but pino.

// C0 controls, DEL, C1 controls (U+0085 NEL among them), the line and paragraph separators, and the bidi
// formatting characters: ALM, LRM, RLM, the embeddings and overrides, the isolates.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** The text with every control, bidi and line-breaking character replaced by a visible `\uXXXX` (or `\n`). */
export function escapeForTerminal(text: string): string {
  return text.replace(UNSAFE, (c) => NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A copy of a log object with every string escaped (plain objects and arrays only; others are left as they are). */
export function escapeDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return escapeForTerminal(value);
  if (depth > 8) return value;
  if (Array.isArray(value)) return value.map((v) => escapeDeep(v, depth + 1));
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [escapeForTerminal(k), escapeDeep(v, depth + 1)]));
  }
  if (value instanceof Error) return { type: value.name, message: escapeForTerminal(value.message) };
  return value;
}
