// pino on stderr: JSON when stderr is not a terminal (CI, log shippers), readable lines on a terminal.
// stdout carries only what the user asked for (--json, the summary).
import { pino, type Logger } from 'pino';

const REDACT_PATHS = ['*.password', '*.token', '*.clientSecret', '*.apiKey', '*.privateKey', '*.privateKeyPassphrase', '*.authorization', 'headers.authorization'];

export async function createLogger(level: string, pretty: boolean): Promise<Logger> {
  const options = { level, base: { name: 'pipeline-audit' }, redact: { paths: REDACT_PATHS, censor: '[REDACTED]' } };
  if (pretty) {
    const { default: pinoPretty } = await import('pino-pretty');
    return pino(options, pinoPretty({ destination: 2, sync: true, colorize: true, ignore: 'pid,hostname,name', translateTime: 'SYS:HH:MM:ss' }));
  }
  return pino(options, pino.destination({ dest: 2, sync: true }));
}
