// The secret forms `redact` knows, as data: each rule is a global pattern, its replacement, and needles (lower-case
// substrings any match must contain) so that a rule is skipped without a regex scan when its needles are absent.
// Every pattern is linear: bounded repetitions or character classes that cannot overlap, no nested quantifiers.
// One test per form in tests/normalize/redact.test.ts; add the test with the form.

const REDACTED = '[REDACTED]';

type Replacer = (match: string, ...groups: string[]) => string;
export interface Rule {
  readonly needles: readonly string[];
  readonly pattern: RegExp;
  readonly replace: string | Replacer;
}

// Words that make a key name a secret's name (case-insensitive, anywhere in the key: SNOWFLAKE_PASSWORD,
// sfPassword, fs.azure.account.key.acct, X-Amz-Signature). Short words count only as a whole segment, so that
// `assignee`, `bypass` and `design` are not secrets.
const WORD = String.raw`pass(?:word|wd|phrase)|pwd|secret|token|credential|signature|sharedaccesssignature|client[_.-]?assertion|(?:store|key)pass|(?:api|access|account|private|shared[_.-]?access|encryption|master|signing|storage|subscription|session|ssh|client)[_. -]?key|(?<![a-z0-9])(?:sig|sas|pass)(?![a-z0-9])`;
const KEY = String.raw`[\w.-]{0,60}?(?:${WORD})[\w.-]{0,60}`;
// The same key from its secret word on. A key=value match can start there: the replacement keeps the key as it is
// and NOT_SECRET reads only its end, so the characters before the word change nothing, while the lazy prefix made
// the engine try up to 60 starts at every position of a text (0.3-0.8 ms a Spark trace; tests/normalize/redact.test.ts
// checks that both forms mask the same).
const KEY_FROM_WORD = String.raw`(?:${WORD})[\w.-]{0,60}`;
// Key names that contain a secret word but name something that is not one (token_type, passwordPolicy, ...).
const NOT_SECRET = /(?:type|count|id|name|scope|version|length|expires_?in|expires_?at|expiry|url|uri|endpoint|path|file|policy|hint|usage|limit|required|enabled)$/i;

/** True when a key (JSON property, setting name) names a secret, e.g. `password`, `client_secret`, `sasToken`. */
const SECRET_KEY_NAME = new RegExp(String.raw`^${KEY}$`, 'i');
export function isSecretKeyName(key: string): boolean {
  return SECRET_KEY_NAME.test(key) && !NOT_SECRET.test(key);
}

// A value: escaped-quoted (JSON inside JSON), quoted (a missing closing quote, as in a truncated body, runs to the
// end of the line), an ODBC {braced} value, or a bare run that stops at whitespace, quotes, `;` (connection
// strings), `<>`, and at `&` or `,` only where the next parameter begins.
const VALUE = String.raw`\\"(?:(?!\\")[^\r\n])*(?:\\")?|"(?:[^"\\\r\n]|\\.)*"?|'(?:[^'\\\r\n]|\\.)*'?|\{[^{}\r\n]*\}|(?!\([\w.-]+[ \t]*=)(?:[^\s"'&;,<>]|&(?![\w.-]+=)|,(?![\s"']|[\w.-]+=))+`;
const SPACED_VALUE = String.raw`"(?:[^"\\\r\n]|\\.)*"?|'(?:[^'\\\r\n]|\\.)*'?|[^\s"']+`;

/** Masks a value, keeping its quotes or braces so the text around it still reads. */
function mask(value: string): string {
  const open = /^(?:\\"|["'{])/.exec(value)?.[0] ?? '';
  if (open === '') return REDACTED;
  const close = open === '{' ? '}' : open;
  return open + REDACTED + (value.length >= open.length + close.length && value.endsWith(close) ? close : '');
}

// A value an earlier rule already masked (the password of a URL's user info) is left as it is.
const keyValue: Replacer = (match, key = '', sep = '', value = '') =>
  NOT_SECRET.test(key) || value.startsWith(REDACTED) ? match : key + sep + mask(value);

const AUTH_SCHEMES = String.raw`Bearer|Basic|Digest|token|SharedKey(?:Lite)?|AWS4-HMAC-SHA256|AWS|Snowflake|Negotiate|NTLM|OAuth|Hawk|ApiKey|SSWS|DPoP|GoogleLogin|Splunk|JWT|HOBA|MAC|Mutual|SCRAM-SHA-(?:1|256)`;
const AUTH_PARAM = String.raw`(?:[\w-]+=)?(?:"[^"\r\n]*"?|[^\s,"']+)`;

const KV_NEEDLES = ['pass', 'pwd', 'secret', 'token', 'credential', 'signature', 'key', 'sig', 'sas'];
const re = (source: string, flags = 'gi'): RegExp => new RegExp(source, flags);
const whole = (source: string, needles: string[], flags = 'g'): Rule => ({ needles, pattern: re(source, flags), replace: REDACTED });

export const RULES: readonly Rule[] = [
  // PEM private keys of any kind (PKCS#8, RSA, EC, OPENSSH, ENCRYPTED, PGP), also cut short with no END line.
  {
    needles: ['private key'],
    pattern: /(-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY( BLOCK)?-----)(?:[\s\S]*?-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|(?:[A-Za-z0-9+/=\s:,-]|\\[nr])*)/g,
    replace: `$1${REDACTED}-----END $2PRIVATE KEY$3-----`,
  },
  // Authorization headers, any scheme; the scheme stays, its credentials and parameters go.
  {
    needles: ['authorization'],
    pattern: re(String.raw`(\b(?:proxy-)?authorization\\?["']?[ \t]*[:=][ \t]*\\?["']?)(?:(${AUTH_SCHEMES})[ \t]+)?(${AUTH_PARAM}(?:[ \t]*,[ \t]*[\w-]+=(?:"[^"\r\n]*"?|[^\s,"']+))*)`),
    replace: (_m, head = '', scheme) => `${head}${scheme ? `${scheme} ` : ''}${REDACTED}`,
  },
  // Cookies carry sessions: the whole header value goes.
  { needles: ['cookie'], pattern: /(\b(?:set-)?cookie\\?["']?[ \t]*:[ \t]*\\?["']?)[^\r\n"'\\]+/gi, replace: `$1${REDACTED}` },
  // Bearer/Basic credentials outside a header. A word that reads like prose (`Basic authentication`) is not one:
  // a credential has a digit, `+/=.`, or a capital after its first letter.
  {
    needles: ['bearer', 'basic'],
    pattern: /\b([Bb]earer|BEARER|[Bb]asic|BASIC)[ \t]+(?=[\w.~+/-][\w.~+/-]*?[0-9.+/=A-Z])[\w.~+/-]{8,}=*/g,
    replace: `$1 ${REDACTED}`,
  },
  { needles: ['sharedkey'], pattern: /\b(SharedKey(?:Lite)?[ \t]+[\w-]+:)[A-Za-z0-9+/=]{16,}/gi, replace: `$1${REDACTED}` },
  // user:password@ in URLs (postgres, mysql, mongodb+srv, redis, amqp, jdbc:...); a long bare user is a token.
  { needles: ['://'], pattern: /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@'"?#]*:)[^\s'"/?#]*@/gi, replace: `$1${REDACTED}@` },
  { needles: ['://'], pattern: /(\b[a-z][a-z0-9+.-]*:\/\/)[\w.~%-]{20,}@/gi, replace: `$1${REDACTED}@` },
  // Oracle thin and sqlplus: user/password@db.
  { needles: ['jdbc:oracle', 'sqlplus'], pattern: /(\b(?:jdbc:oracle:\w+:|sqlplus[ \t]+)[^\s/@:'"]+\/)[^\s@'"]+@/gi, replace: `$1${REDACTED}@` },
  // mysql -pX / -p'X' (the password glued to the flag), sshpass -p X.
  {
    needles: ['mysql', 'mariadb'],
    pattern: /(?<=\b(?:mysql\w*|mariadb[\w-]*)\b[^\r\n]*[ \t])-p(?:'[^'\r\n]*'?|"[^"\r\n]*"?|[^\s'"-]\S*)/gi,
    replace: `-p${REDACTED}`,
  },
  { needles: ['sshpass'], pattern: /(\bsshpass\b[^\r\n]*?[ \t]-p[ \t]*)(?:'[^'\r\n]*'?|"[^"\r\n]*"?|\S+)/gi, replace: `$1${REDACTED}` },
  // SQL: CREATE USER ... PASSWORD 'x', IDENTIFIED BY 'x'.
  { needles: ['password', 'identified'], pattern: /\b((?:IDENTIFIED[ \t]+BY|PASSWORD)[ \t]+)'(?:[^'\r\n]|'')*'?/gi, replace: `$1'${REDACTED}'` },
  // key=value, key: value, "key": "value", key => value, spark.conf.set("key", "value"), connection-string parts.
  {
    needles: KV_NEEDLES,
    pattern: re(String.raw`(${KEY_FROM_WORD})(\\?["']?[ \t]*(?::=|=>|[:=])[ \t]*|\\?["'][ \t]*,[ \t]*(?=\\?["']))(${VALUE})`),
    replace: keyValue,
  },
  // Space-separated settings whose dotted key names a secret (Spark config, Hadoop properties).
  {
    needles: KV_NEEDLES,
    pattern: re(String.raw`(?<![\w.-])((?=[\w.-]*?(?:${WORD}))[\w-]+(?:\.[\w-]+)+)([ \t]+)(?!-)(${SPACED_VALUE})`),
    replace: keyValue,
  },
  // Command-line flags: --password X, -storepass X, --client-secret "X".
  {
    needles: KV_NEEDLES,
    pattern: re(String.raw`(?<![\w-])(--?[\w-]*?(?:${WORD})[\w-]*)([ \t]+)(?!-)(${SPACED_VALUE})`),
    replace: keyValue,
  },
  // <Password>x</Password> in XML bodies and SOAP faults.
  { needles: KV_NEEDLES, pattern: re(String.raw`(<(${KEY})>)[^<]+(?=</)`), replace: (m, open = '', key = '') => (NOT_SECRET.test(key) ? m : open + REDACTED) },
  // Query parameters that are secrets only in a query string (OAuth `code`, Google `key`).
  { needles: ['code=', 'key='], pattern: /([?&;](?:code|key)=)[^\s&#"'<>]+/gi, replace: `$1${REDACTED}` },
  // Shapes that are secrets wherever they appear.
  whole(String.raw`\beyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]*`, ['eyj']), // JWT
  whole(String.raw`\bdapi[0-9a-f]{32}(?:-\d+)?\b`, ['dapi'], 'gi'), // Databricks PAT
  whole(String.raw`\bdose[0-9a-f]{32}\b`, ['dose'], 'gi'), // Databricks OAuth secret
  whole(String.raw`\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_\w{20,})`, ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_']),
  whole(String.raw`\bglpat-[\w-]{20,}`, ['glpat-']), // GitLab
  whole(String.raw`\bx(?:ox[abposre]|app)-[A-Za-z0-9-]{10,}`, ['xox', 'xapp-']), // Slack
  { needles: ['hooks.slack.com'], pattern: /(hooks\.slack\.com\/services\/)[\w/-]+/gi, replace: `$1${REDACTED}` },
  whole(String.raw`\bsk-[\w-]{16,}`, ['sk-']), // OpenAI (sk-, sk-proj-, sk-svcacct-), Anthropic (sk-ant-)
  whole(String.raw`\b(?:[sr]k_(?:live|test)_[A-Za-z0-9]{16,}|whsec_[A-Za-z0-9]{20,})`, ['_live_', '_test_', 'whsec_']), // Stripe
  whole(String.raw`\b(?:AIza[\w-]{35}|ya29\.[\w-]{20,}|GOCSPX-[\w-]{20,})`, ['aiza', 'ya29.', 'gocspx-']), // Google
  whole(String.raw`\bnpm_[A-Za-z0-9]{36}\b`, ['npm_']),
  whole(String.raw`\bhf_[A-Za-z0-9]{30,}\b`, ['hf_']), // Hugging Face
  whole(String.raw`\bSG\.[\w-]{22}\.[\w-]{43}\b`, ['sg.']), // SendGrid
  whole(String.raw`\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b`, ['akia', 'asia', 'abia', 'acca']), // AWS access key id
  whole(String.raw`(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{86}==`, ['==']), // Azure storage account key (64 bytes)
  whole(String.raw`(?<![\w~.-])[\w~.-]{3}\dQ~[\w~.-]{31,34}`, ['q~']), // Entra ID client secret
];
