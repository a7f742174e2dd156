// The human-readable reason in a refused request's body, so that an error says more than "answered HTTP 400".
// Vendors put it in different places: OData and Microsoft Graph `error.message` (Dataverse), RFC 9457 problem
// details `detail` and `title` (Airbyte), `message` with `error_code` (Databricks), OAuth's `error_description`.

const MAX = 300;

function str(v: unknown): string | null {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : null;
}

/** The vendor's own error text from a response body (JSON, or short plain text), one line, at most 300 characters. */
export function vendorMessage(body: string): string | null {
  let found: string | null = null;
  try {
    const j = JSON.parse(body) as Record<string, unknown> | null;
    if (j && typeof j === 'object') {
      const err = j.error;
      found =
        (err && typeof err === 'object' ? str((err as Record<string, unknown>).message) : null) ??
        str(j.detail) ??
        str(j.message) ??
        str(j.error_description) ??
        str(j.title) ??
        str(err);
    }
  } catch {
    // Not JSON: a short plain-text body is its own message; an HTML error page is not.
    const t = body.trim();
    if (t && !t.startsWith('<') && t.length <= MAX) found = t;
  }
  if (!found) return null;
  const line = found.replace(/\s+/g, ' ');
  return line.length > MAX ? `${line.slice(0, MAX - 1)}…` : line;
}
