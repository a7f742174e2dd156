// "When" for a digest line: UTC first, then the team's zone with its abbreviation (where the locale data has one)
// and its offset at that instant, so DST is right by construction (Intl does the zone arithmetic).

const pad = (n: number) => String(n).padStart(2, '0');

function utcParts(d: Date): { date: string; time: string } {
  return { date: `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`, time: `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}` };
}

function part(parts: Intl.DateTimeFormatPart[], type: Intl.DateTimeFormatPartTypes): string {
  return parts.find((p) => p.type === type)?.value ?? '';
}

/** True when `tz` is an IANA zone this runtime knows. */
export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** `2026-03-29 04:10 UTC (06:10 CEST, +02:00)`; the local date is repeated when it differs from the UTC date. */
export function formatWhen(d: Date, timeZone: string | null): string {
  if (Number.isNaN(d.getTime())) return 'unknown time';
  const u = utcParts(d);
  const utc = `${u.date} ${u.time} UTC`;
  if (!timeZone || timeZone === 'UTC' || timeZone === 'Etc/UTC' || !isValidTimeZone(timeZone)) return utc;
  const base: Intl.DateTimeFormatOptions = { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
  const p = new Intl.DateTimeFormat('en-US', base).formatToParts(d);
  const date = `${part(p, 'year')}-${part(p, 'month')}-${part(p, 'day')}`;
  const time = `${part(p, 'hour')}:${part(p, 'minute')}`;
  const longOffset = part(new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' }).formatToParts(d), 'timeZoneName');
  const offset = longOffset === 'GMT' ? '+00:00' : longOffset.replace(/^GMT/, '');
  // en-US knows the American abbreviations, en-GB the European ones; elsewhere both say GMT+n, which adds nothing.
  const abbr = [ 'en-US', 'en-GB' ]
    .map((loc) => part(new Intl.DateTimeFormat(loc, { timeZone, timeZoneName: 'short' }).formatToParts(d), 'timeZoneName'))
    .find((a) => a !== '' && !/^(GMT|UTC)/.test(a));
  const local = date === u.date ? time : `${date} ${time}`;
  return `${utc} (${local}${abbr ? ` ${abbr}` : ''}, ${offset})`;
}
