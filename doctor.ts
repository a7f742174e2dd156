// The doctor's checks as a library function: the configuration is already valid when this runs; every configured
// scope and the store are checked, each finding one line with its fix. bin/doctor.ts only prints them.
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { createHttpClient } from './connect/http.js';
import { collectorFor } from './collectors/registry.js';
import type { CheckResult } from './collectors/types.js';
import type { AuditConfig } from './config/load.js';
import { errorMessage } from './errors.js';
import { redact } from './normalize/redact.js';
import { TOOL_VERSION } from './normalize/schema.js';
import { openStore } from './sinks/store/open.js';
import type { LanguageModel } from 'ai';
import { createModel } from './summarize/llm/provider.js';
import { createTransport } from './sinks/mail/factory.js';
import type { MailTransport } from './sinks/mail/types.js';

export interface DoctorFinding {
  target: string;
  ok: boolean;
  message: string;
  fix?: string | undefined;
}

export interface DoctorDeps {
  now?: () => Date;
  /** Time limit of each scope's check. */
  timeoutMs?: number;
  /** The model to check (tests inject one); absent: built from `config.llm`. */
  model?: LanguageModel | null;
}

export async function runDoctor(config: AuditConfig, deps: DoctorDeps = {}): Promise<DoctorFinding[]> {
  const now = deps.now ?? (() => new Date());
  const findings: DoctorFinding[] = [{ target: 'configuration', ok: true, message: `${config.scopes.length} scope(s) configured${config.configFile ? ` from ${config.configFile}` : ''}` }];
  for (const n of config.notEnabled) findings.push({ target: n.platform, ok: true, message: `not monitored: ${n.reason}` });
  findings.push(...(await Promise.all(config.scopes.map((s) => checkScope(config, s, now, deps.timeoutMs ?? 60_000)))));
  findings.push(await checkStore(config));
  if (config.llm) findings.push(await checkModel(config, deps.model));
  if (config.delivery && config.delivery.transport !== 'outbox') findings.push(await checkMail(config, now));
  return findings;
}

/** The model answers: one tiny request (a few tokens), with the cycle's own timeout. */
async function checkModel(config: AuditConfig, injected?: LanguageModel | null): Promise<DoctorFinding> {
  const target = `model ${config.llm!.model}`;
  try {
    const model = injected ?? (await createModel(config.llm!));
    if (!model) return { target, ok: false, message: 'no model could be built from the configuration', fix: 'set LLM_API_KEY and LLM_MODEL' };
    const { generateText } = await import('ai');
    const r = await generateText({ model, prompt: 'Reply with the single word OK.', temperature: 0, maxRetries: 0, maxOutputTokens: 16, abortSignal: AbortSignal.timeout(30_000) });
    return { target, ok: true, message: `answered (${r.usage.inputTokens ?? '?'} tokens in, ${r.usage.outputTokens ?? '?'} out)` };
  } catch (e) {
    return { target, ok: false, message: redact(errorMessage(e), config.secrets), fix: 'check LLM_API_KEY, LLM_MODEL and OPENAI_BASE_URL; without a model every cycle uses the deterministic summary' };
  }
}

/** The mail transport: SMTP's greeting, login and TLS; Graph's token and that the sender mailbox exists. */
async function checkMail(config: AuditConfig, now: () => Date): Promise<DoctorFinding> {
  const d = config.delivery!;
  const target = `mail ${d.transport}`;
  let transport: MailTransport | null = null;
  try {
    transport = await createTransport(d, { now });
    if (!transport.verify) return { target, ok: true, message: 'nothing to verify' };
    const v = await transport.verify();
    const detail = v.checks.map((c) => `${c.name} ${c.ok === null ? 'not checked' : c.ok ? 'ok' : 'FAILED'}${c.detail ? `: ${c.detail}` : ''}`).join('; ');
    return { target, ok: v.ok, message: redact(detail, config.secrets), fix: d.transport === 'graph' ? 'grant the app Mail.Send (application) limited to the sender mailbox, and check OUTLOOK_SENDER' : 'check SMTP_URL (or SMTP_HOST, SMTP_PORT, SMTP_USER, SMTP_PASSWORD) and TLS' };
  } catch (e) {
    return { target, ok: false, message: redact(errorMessage(e), config.secrets), fix: 'check the mail settings (README: Email delivery)' };
  } finally {
    await transport?.close().catch(() => undefined);
  }
}

async function checkScope(config: AuditConfig, s: AuditConfig['scopes'][number], now: () => Date, timeoutMs: number): Promise<DoctorFinding> {
  const collector = collectorFor(s.platform);
  const signal = AbortSignal.timeout(timeoutMs);
  const http = createHttpClient({ signal, now, options: { ...config.http, retries: 1, concurrency: collector.concurrency }, secrets: config.secrets, userAgent: `pipeline-audit/${TOOL_VERSION} doctor` });
  const target = `${s.platform} ${s.scopeId}`;
  try {
    const r: CheckResult = await collector.check({ platform: s.platform, scope: s.scope, scopeId: s.scopeId, http, signal, now, limits: config.limits, warn: () => {}, incomplete: () => {} });
    return { target, ok: r.ok, message: redact(r.message, config.secrets), fix: r.fix };
  } catch (e) {
    return { target, ok: false, message: redact(errorMessage(e), config.secrets), fix: 'check the base URL, the network and the credentials' };
  } finally {
    await http.close();
  }
}

async function checkStore(config: AuditConfig): Promise<DoctorFinding> {
  const target = config.store.kind === 'duckdb' ? `store duckdb ${config.store.path}` : `store snowflake ${config.store.settings.database}.${config.store.settings.schema}`;
  // Before the first run the embedded store does not exist yet: that is expected, as long as it can be created.
  if (config.store.kind === 'duckdb' && !existsSync(config.store.path)) return newDuckDbFile(target, config.store.path);
  try {
    const store = await openStore(config.store, { queryTag: `pipeline-audit/${TOOL_VERSION} doctor`, readOnly: config.store.kind === 'duckdb' });
    try {
      const version = await store.checkSchema();
      const runs = await store.countRuns();
      const last = await store.lastCycle();
      return { target, ok: true, message: `schema version ${version}, ${runs} runs stored, last cycle ${last ? `${last.endedAt.toISOString()} (${last.outcome})` : 'never'}` };
    } finally {
      await store.close();
    }
  } catch (e) {
    return {
      target,
      ok: false,
      message: redact(errorMessage(e), config.secrets),
      fix: config.store.kind === 'duckdb' ? 'the file is created by the first `pipeline-audit run` (or `pipeline-audit init`)' : 'run `pipeline-audit init` with a role that may create tables, and check account, user, key and warehouse',
    };
  }
}

/** A DuckDB file that does not exist yet: fine when its nearest existing folder is writable. */
function newDuckDbFile(target: string, path: string): DoctorFinding {
  let dir = dirname(path);
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  try {
    if (!statSync(dir).isDirectory()) throw new Error(`${dir} is a file, not a folder`);
    accessSync(dir, constants.W_OK);
    return { target, ok: true, message: 'does not exist yet; the first `pipeline-audit run` (or `pipeline-audit init`) creates it' };
  } catch (e) {
    return { target, ok: false, message: `does not exist yet, and it cannot be created under ${dir}: ${errorMessage(e)}`, fix: 'set PIPELINE_AUDIT_DUCKDB_PATH to a file in a writable folder' };
  }
}
