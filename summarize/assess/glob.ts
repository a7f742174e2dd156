// A small glob matcher for job names and ids in the configuration: `*` any run of characters, `?` one character,
// everything else literal, case-insensitive. Names come from the platforms, so the pattern is compiled from the
// configuration side only and a name is never interpreted.

const cache = new Map<string, RegExp>();

function compile(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (!re) {
    const body = [...pattern].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/-]/g, '\\$&'))).join('');
    re = new RegExp(`^${body}$`, 'is');
    cache.set(pattern, re);
  }
  return re;
}

/** True when `value` matches the glob `pattern` (whole string, case-insensitive). */
export function globMatch(pattern: string, value: string): boolean {
  return compile(pattern).test(value);
}
