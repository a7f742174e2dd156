// `doctor`: the configuration first (a ConfigError is the first finding, with every problem listed), then every
// configured scope and the store, one line each, with the fix; then the variables that look misspelled.
import { runDoctor } from '../doctor.js';
import { EXIT } from './cli-text.js';
import { load, notices, type CommonOptions, type Emit } from './run.js';

export async function doctorCommand(o: CommonOptions, emit: Emit): Promise<number> {
  const config = await load(o);
  const findings = await runDoctor(config);
  const warnings = notices(o);
  const ok = findings.every((l) => l.ok);
  const text = [
    ...findings.map((l) => `${l.ok ? 'ok  ' : 'FAIL'}  ${l.target}: ${l.message}${l.ok || !l.fix ? '' : `\n        fix: ${l.fix}`}`),
    ...warnings.map((w) => `warn  ${w.message}`),
  ].join('\n');
  emit(text, { ok, checks: findings, warnings });
  return ok ? EXIT.OK : EXIT.DOCTOR_FINDINGS;
}
