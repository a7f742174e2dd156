// `doctor`: the configuration first, then every configured scope and the store, one line each, with the fix.
import { createHttpClient } from '../collectors/http.js';
import { collectorFor } from '../collectors/registry.js';
import type { CheckResult } from '../collectors/types.js';
import { errorMessage } from '../errors.js';
import { redact } from '../normalize/redact.js';
import { TOOL_VERSION } from '../normalize/schema.js';
import { openStore } from '../sinks/open.js';
import { EXIT } from './cli-text.js';
import { load, type CommonOptions, type Emit } from './run.js';

interface Line {
  target: string;
  ok: boolean;
  message: string;
  fix?: string | undefined;
}

export async function doctorCommand(o: CommonOptions, emit: Emit): Promise<number> {
  const config = await load(o); // a ConfigError here is the first finding, with every problem listed
  const lines: Line[] = [{ target: 'configuration', ok: true, message: `${config.scopes.length} scope(s) configured${config.configFile ? ` from ${config.configFile}` : ''}` }];
  for (const n of config.notEnabled) lines.push({ target: n.platform, ok: true, message: `not monitored: ${n.reason}` });

  const checks = config.scopes.map(async (s): Promise<Line> => {
    const collector = collectorFor(s.platform);
    const signal = AbortSignal.timeout(60_000);
    const http = createHttpClient({ signal, options: { ...config.http, retries: 1, concurrency: collector.concurrency }, secrets: config.secrets, userAgent: `pipeline-audit/${TOOL_VERSION} doctor` });
    try {
      const r: CheckResult = await collector.check({
        platform: s.platform,
        scope: s.scope,
        scopeId: s.scopeId,
        http,
        signal,
        now: () => new Date(),
        limits: config.limits,
        warn: () => {},
        incomplete: () => {},
      });
      return { target: `${s.platform} ${s.scopeId}`, ok: r.ok, message: redact(r.message, config.secrets), fix: r.fix };
    } catch (e) {
      return { target: `${s.platform} ${s.scopeId}`, ok: false, message: redact(errorMessage(e), config.secrets), fix: 'check the base URL, the network and the credentials' };
    } finally {
      await http.close();
    }
  });
  lines.push(...(await Promise.all(checks)));

  const storeName = config.store.kind === 'duckdb' ? `store duckdb ${config.store.path}` : `store snowflake ${config.store.settings.database}.${config.store.settings.schema}`;
  try {
    const store = await openStore(config.store, { queryTag: `pipeline-audit/${TOOL_VERSION} doctor`, readOnly: config.store.kind === 'duckdb' });
    try {
      const version = await store.checkSchema();
      const runs = await store.countRuns();
      const last = await store.lastCycle();
      lines.push({ target: storeName, ok: true, message: `schema version ${version}, ${runs} runs stored, last cycle ${last ? `${last.endedAt.toISOString()} (${last.outcome})` : 'never'}` });
    } finally {
      await store.close();
    }
  } catch (e) {
    const fresh = config.store.kind === 'duckdb';
    lines.push({
      target: storeName,
      ok: false,
      message: redact(errorMessage(e), config.secrets),
      fix: fresh ? 'the file is created by the first `pipeline-audit run` (or `pipeline-audit init`)' : 'run `pipeline-audit init` with a role that may create tables, and check account, user, key and warehouse',
    });
  }

  const text = lines.map((l) => `${l.ok ? 'ok  ' : 'FAIL'}  ${l.target}: ${l.message}${l.ok || !l.fix ? '' : `\n        fix: ${l.fix}`}`).join('\n');
  emit(text, { ok: lines.every((l) => l.ok), checks: lines });
  return lines.every((l) => l.ok) ? EXIT.OK : EXIT.DOCTOR_FINDINGS;
}
