// The command line, parsed and validated per command: an unknown option, an option of another command, a missing
// or malformed value are usage errors (exit 2), never silently ignored or replaced by a default.
import { parseArgs } from 'node:util';
import { PLATFORMS, type Platform } from '../normalize/constants.js';
import { COMMAND_OPTIONS, COMMANDS, LOG_LEVELS, OPTIONS, type Command, type OptionName } from './cli-text.js';

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

function commandOf(argv: readonly string[]): { command: Command; args: string[] } {
  const first = argv[0];
  if (first === undefined || first.startsWith('-')) return { command: 'run', args: [...argv] };
  if (!(COMMANDS as readonly string[]).includes(first)) throw new UsageError(`unknown command '${first}' (commands: ${COMMANDS.filter((c) => c !== 'config').join(', ')}, config check)`, null);
  const command = first as Command;
  if (command !== 'config') return { command, args: argv.slice(1) };
  const sub = argv[1];
  if (sub === 'check') return { command, args: argv.slice(2) };
  if (sub === '--help' || sub === '-h') return { command, args: argv.slice(1) };
  throw new UsageError(`unknown or missing subcommand 'config ${sub ?? ''}'; the subcommand is 'config check'`, 'config');
}

export function parseCommandLine(argv: readonly string[], now: Date): ParsedCommandLine {
  const { command, args } = commandOf(argv);
  const allowed = COMMAND_OPTIONS[command];
  const name = command === 'config' ? 'config check' : command;
  const options = Object.fromEntries(allowed.map((n) => [n, OPTIONS[n]]));
  // strict: false so that this file words the errors (node's own name the wrong fix for an unknown option).
  const { values, tokens } = parseArgs({ args, options, strict: false, allowPositionals: true, tokens: true });
  for (const t of tokens) {
    if (t.kind === 'positional') throw new UsageError(`${name}: unexpected argument '${t.value}'`, command);
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

  const sinceText = str('since');
  return {
    command,
    help: bool('help'),
    version: bool('version'),
    platforms,
    since: sinceText === undefined ? undefined : parseSince(sinceText, now),
    dryRun: bool('dry-run'),
    store: str('store'),
    runs,
    config: str('config'),
    json: bool('json'),
    output: str('output'),
    logLevel,
  };
}
