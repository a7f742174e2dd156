// The command line, parsed and validated per command: an unknown option, an option of another command, a missing
// or malformed value are usage errors (exit 2), never silently ignored or replaced by a default.
import { parseArgs } from 'node:util';
import { PLATFORMS, type Platform } from '../normalize/constants.js';
import { COMMAND_OPTIONS, COMMANDS, LOG_LEVELS, OPTIONS, POSITIONAL, SUBCOMMANDS, type Command, type OptionName } from './cli-text.js';

/** A command line that cannot be run as written. */
export class UsageError extends Error {
  readonly command: Command | null;
  constructor(message: string, command: Command | null) {
    super(message);
    this.name = 'UsageError';
    this.command = command;
  }
}

export interface ParsedCommandLine {
  command: Command;
  /** `check` for `config check`; `list` or `retry` for `quarantine`. */
  subcommand: string | undefined;
  /** The one positional argument of explain, silence, unsilence and ack. */
  target: string | undefined;
  /** `--now`: act as if it were this instant. */
  now: Date | undefined;
  all: boolean;
  job: string | undefined;
  limit: number | undefined;
  /** `--for`, in milliseconds. */
  forMs: number | undefined;
  reason: string | undefined;
  author: string | undefined;
  help: boolean;
  version: boolean;
  platforms: Platform[] | undefined;
  since: Date | undefined;
  dryRun: boolean;
  store: string | undefined;
  runs: number | undefined;
  config: string | undefined;
  json: boolean;
  output: string | undefined;
  logLevel: string | undefined;
  alertIntegration: string | undefined;
  alertRecipient: string | undefined;
}

const HOURS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `--since`: an ISO date or instant, or a duration back from now like 90m, 6h, 3d. Never in the future. */
export function parseSince(value: string, now: Date): Date {
  const v = value.trim();
  const m = /^(\d+(?:\.\d+)?)\s*([mhd])$/i.exec(v);
  let at: Date | null = null;
  if (m) at = new Date(now.getTime() - Number(m[1]) * HOURS[m[2]!.toLowerCase() as keyof typeof HOURS]);
  else if (/^\d{4}-\d{2}-\d{2}/.test(v) && !Number.isNaN(Date.parse(v))) at = new Date(Date.parse(v));
  if (!at) throw new UsageError(`--since: '${value}' is neither an ISO time (2026-11-20T00:00Z) nor a duration like 90m, 6h or 3d`, 'run');
  if (at.getTime() > now.getTime()) throw new UsageError(`--since: '${value}' is in the future`, 'run');
  return at;
}

/** `--now`: an ISO instant with its zone (`Z` or an offset); a local time would mean a different instant per machine. */
export function parseNow(value: string): Date {
  const v = value.trim();
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):?(\d{2}))$/i.exec(v);
  // Date.parse rolls 2026-02-30 over to March 2: every field is checked against its range first.
  const [y, mo, d, hh, mi, ss, oh, om] = (m?.slice(1) ?? []).map((x) => (x === undefined ? 0 : Number(x)));
  const valid = m !== null && mo! >= 1 && mo! <= 12 && d! >= 1 && d! <= new Date(Date.UTC(y!, mo!, 0)).getUTCDate() && hh! <= 23 && mi! <= 59 && ss! <= 59 && oh! <= 23 && om! <= 59;
  const t = valid ? Date.parse(v) : NaN;
  if (Number.isNaN(t)) throw new UsageError(`--now: '${value}' is not an ISO instant with a zone, like 2026-11-20T08:00Z or 2026-11-20T09:00+01:00`, null);
  return new Date(t);
}

const MAX_SILENCE_MS = 30 * HOURS.d;

/** `--for`: a duration like 30m, 4h, 2d, positive and at most 30 days. */
export function parseDuration(value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([mhd])$/i.exec(value.trim());
  const ms = m ? Math.round(Number(m[1]) * HOURS[m[2]!.toLowerCase() as keyof typeof HOURS]) : NaN;
  if (!(ms > 0)) throw new UsageError(`--for: '${value}' is not a duration like 30m, 4h or 2d`, null);
  if (ms > MAX_SILENCE_MS) throw new UsageError(`--for: '${value}' is longer than 30 days; silence for less and renew it if needed`, null);
  return ms;
}

const nameOf = (c: Command, sub?: string): string => (sub ? `${c} ${sub}` : c);

function commandOf(argv: readonly string[]): { command: Command; subcommand: string | undefined; args: string[] } {
  const first = argv[0];
  if (first === undefined || first.startsWith('-')) return { command: 'run', subcommand: undefined, args: [...argv] };
  const listed = COMMANDS.map((c) => (SUBCOMMANDS[c] ? `${c} ${SUBCOMMANDS[c].join('|')}` : c)).join(', ');
  if (!(COMMANDS as readonly string[]).includes(first)) throw new UsageError(`unknown command '${first}' (commands: ${listed})`, null);
  const command = first as Command;
  const subs = SUBCOMMANDS[command];
  if (!subs) return { command, subcommand: undefined, args: argv.slice(1) };
  const sub = argv[1];
  if (sub !== undefined && subs.includes(sub)) return { command, subcommand: sub, args: argv.slice(2) };
  if (sub === '--help' || sub === '-h') return { command, subcommand: undefined, args: argv.slice(1) };
  throw new UsageError(`unknown or missing subcommand '${command} ${sub ?? ''}'; the subcommand is ${subs.map((x) => `'${command} ${x}'`).join(' or ')}`, command);
}

export function parseCommandLine(argv: readonly string[], now: Date): ParsedCommandLine {
  const { command, subcommand, args } = commandOf(argv);
  const allowed = COMMAND_OPTIONS[command];
  const name = nameOf(command, subcommand);
  const positionalName = POSITIONAL[command];
  const positionals: string[] = [];
  const options = Object.fromEntries(allowed.map((n) => [n, OPTIONS[n]]));
  // strict: false so that this file words the errors (node's own name the wrong fix for an unknown option).
  const { values, tokens } = parseArgs({ args, options, strict: false, allowPositionals: true, tokens: true });
  for (const t of tokens) {
    if (t.kind === 'positional') {
      if (positionalName === undefined || positionals.length > 0) throw new UsageError(`${name}: unexpected argument '${t.value}'`, command);
      positionals.push(t.value);
      continue;
    }
    if (t.kind !== 'option') continue;
    if (!(allowed as readonly string[]).includes(t.name)) {
      const elsewhere = COMMANDS.filter((c) => (COMMAND_OPTIONS[c] as readonly string[]).includes(t.name));
      const hint = elsewhere.length > 0 ? ` (it belongs to ${elsewhere.map((c) => (c === 'config' ? 'config check' : c)).join(', ')})` : '';
      throw new UsageError(`${name}: unknown option ${t.rawName}${hint}; see pipeline-audit ${name} --help`, command);
    }
    const spec = OPTIONS[t.name as OptionName];
    if (spec.type === 'string' && (t.value === undefined || t.value.trim() === '')) throw new UsageError(`${name}: ${t.rawName} needs a value (${spec.usage})`, command);
    if (spec.type === 'boolean' && t.inlineValue) throw new UsageError(`${name}: ${t.rawName} takes no value`, command);
  }
  const str = (n: OptionName): string | undefined => {
    const v = values[n];
    return typeof v === 'string' ? v : undefined;
  };
  const bool = (n: OptionName): boolean => values[n] === true;

  const platformValues = values.platform;
  let platforms: Platform[] | undefined;
  if (Array.isArray(platformValues)) {
    platforms = [];
    for (const p of platformValues.flatMap((v) => String(v).split(',')).map((v) => v.trim().toLowerCase()).filter(Boolean)) {
      if (!(PLATFORMS as readonly string[]).includes(p)) throw new UsageError(`--platform: unknown platform '${p}' (known: ${PLATFORMS.join(', ')})`, command);
      platforms.push(p as Platform);
    }
    if (platforms.length === 0) throw new UsageError(`--platform: name at least one platform (${PLATFORMS.join(', ')})`, command);
  }

  const runsText = str('runs');
  let runs: number | undefined;
  if (runsText !== undefined) {
    if (!/^\d+$/.test(runsText.trim()) || Number(runsText) < 1 || Number(runsText) > 100_000) throw new UsageError(`--runs: '${runsText}' is not a whole number from 1 to 100000`, command);
    runs = Number(runsText);
  }

  const logLevel = str('log-level');
  if (logLevel !== undefined && !(LOG_LEVELS as readonly string[]).includes(logLevel)) throw new UsageError(`--log-level: '${logLevel}' is not one of ${LOG_LEVELS.join(', ')}`, command);

  const limitText = str('limit');
  let limit: number | undefined;
  if (limitText !== undefined) {
    if (!/^\d+$/.test(limitText.trim()) || Number(limitText) < 1 || Number(limitText) > 10_000) throw new UsageError(`--limit: '${limitText}' is not a whole number from 1 to 10000`, command);
    limit = Number(limitText);
  }

  const help = bool('help');
  const target = positionals[0];
  if (!help && positionalName !== undefined && (target === undefined || target.trim() === '')) throw new UsageError(`${name}: name the ${positionalName} (pipeline-audit ${name} ${positionalName}; see --help)`, command);
  const reason = str('reason');
  if (!help && command === 'init' && (str('alert-integration') === undefined) !== (str('alert-recipient') === undefined)) {
    throw new UsageError('init: --alert-integration and --alert-recipient go together', command);
  }
  if (!help && command === 'silence') {
    if (str('for') === undefined) throw new UsageError(`silence: --for is required (how long: 30m, 4h, 2d)`, command);
    if (reason === undefined) throw new UsageError(`silence: --reason is required (why, for whoever looks next)`, command);
  }
  const withCommand = <T>(f: () => T): T => {
    try {
      return f();
    } catch (e) {
      throw e instanceof UsageError ? new UsageError(`${name}: ${e.message}`, command) : e;
    }
  };
  const nowText = str('now');
  const fixedNow = nowText === undefined ? undefined : withCommand(() => parseNow(nowText));
  const forText = str('for');

  const sinceText = str('since');
  return {
    command,
    subcommand,
    target,
    now: fixedNow,
    all: bool('all'),
    job: str('job'),
    limit,
    forMs: forText === undefined ? undefined : withCommand(() => parseDuration(forText)),
    reason,
    author: str('author'),
    alertIntegration: str('alert-integration'),
    alertRecipient: str('alert-recipient'),
    help,
    version: bool('version'),
    platforms,
    // --since counts back from --now when both are given (a replay re-reads the span before its instant).
    since: sinceText === undefined ? undefined : parseSince(sinceText, fixedNow ?? now),
    dryRun: bool('dry-run'),
    store: str('store'),
    runs,
    config: str('config'),
    json: bool('json'),
    output: str('output'),
    logLevel,
  };
}
