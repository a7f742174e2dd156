// pino on stderr: JSON when stderr is not a terminal (CI, log shippers), readable lines on a terminal.
// stdout carries only what the user asked for (--json, the summary). On a terminal every string a vendor may have
// written is escaped first (bin/terminal-text.ts); JSON lines need no more than JSON's own escaping.
import { pino, type Logger, type LoggerOptions } from 'pino';
import { escapeDeep, escapeForTerminal } from './terminal-text.js';

const REDACT_PATHS = ['*.password', '*.token', '*.clientSecret', '*.apiKey', '*.privateKey', '*.privateKeyPassphrase', '*.authorization', 'headers.authorization'];

/** `destination`: where the lines go (default stderr); a test passes a stream to read them back. */
export async function createLogger(level: string, pretty: boolean, destination?: NodeJS.WritableStream): Promise<Logger> {
  const options: LoggerOptions = { level, base: { name: 'pipeline-audit' }, redact: { paths: REDACT_PATHS, censor: '[REDACTED]' } };
  if (pretty) {
    const { default: pinoPretty } = await import('pino-pretty');
    const escaping: LoggerOptions = {
      ...options,
      formatters: { log: (o) => escapeDeep(o) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          const clean = args.map((a: unknown) => (typeof a === 'string' ? escapeForTerminal(a) : a)) as Parameters<typeof method>;
          method.apply(this, clean);
        },
      },
    };
    return pino(escaping, pinoPretty({ destination: destination ?? 2, sync: true, colorize: destination === undefined, ignore: 'pid,hostname,name', translateTime: 'SYS:HH:MM:ss' }));
  }
  return pino(options, destination ?? pino.destination({ dest: 2, sync: true }));
}
