// The assessment's configuration: detection settings, per-job overrides and teams from the config file (`teams`,
// `defaultTeam`, `assessment`), the default team's recipients from PIPELINE_AUDIT_NOTIFY_TO when the file names
// none, and the one LLM call's provider (LLM_PROVIDER, LLM_API_KEY or OPENAI_API_KEY, LLM_MODEL, OPENAI_BASE_URL).
import type { ConfigIssue } from '../errors.js';
import { AssessConfigSchema, type AssessConfig } from '../summarize/assess/index.js';
import type { LlmConfig } from '../summarize/llm/provider.js';
import type { ConfigFile } from './file.js';
import type { EnvSource } from './source.js';
import type { DeliveryConfig } from './delivery.js';

/** The team that gets what no team's rule claims, when the file names none: recipients from PIPELINE_AUDIT_NOTIFY_TO. */
export const DEFAULT_TEAM_NAME = 'support';
/** A recipient that is never sent to: with it, digests go to the outbox only (config check says so). */
export const UNCONFIGURED_RECIPIENT = 'unconfigured@pipeline-audit.invalid';

export function readAssessmentConfig(src: EnvSource, file: ConfigFile, issues: ConfigIssue[], delivery?: DeliveryConfig): AssessConfig {
  const notifyTo = (src.get('PIPELINE_AUDIT_NOTIFY_TO') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const timezone = src.get('PIPELINE_AUDIT_TIMEZONE') ?? null;
  if (timezone && !validZone(timezone)) issues.push({ variable: 'PIPELINE_AUDIT_TIMEZONE', message: `'${timezone}' is not an IANA time zone (e.g. Europe/Berlin)` });
  const input = {
    ...(file.assessment ?? {}),
    teams: file.teams ?? [],
    defaultTeam: file.defaultTeam ?? {
      name: DEFAULT_TEAM_NAME,
      email: notifyTo.length > 0 ? notifyTo : [UNCONFIGURED_RECIPIENT],
      timezone: timezone && validZone(timezone) ? timezone : null,
      ...(delivery?.allClearHour !== null && delivery?.allClearHour !== undefined ? { allClearHour: delivery.allClearHour } : {}),
    },
  };
  const parsed = AssessConfigSchema.safeParse(input);
  if (!parsed.success) {
    for (const i of parsed.error.issues) issues.push({ variable: `config file ${i.path.join('.') || '(assessment)'}`, message: i.message });
    return AssessConfigSchema.parse({ defaultTeam: { name: DEFAULT_TEAM_NAME, email: [UNCONFIGURED_RECIPIENT] } });
  }
  for (const t of [...parsed.data.teams, parsed.data.defaultTeam]) {
    if (t.timezone && !validZone(t.timezone)) issues.push({ variable: `config file team ${t.name}`, message: `timezone '${t.timezone}' is not an IANA time zone` });
    // Mail that leaves the machine needs real recipients: the placeholder only ever reaches the outbox.
    if (delivery && delivery.transport !== 'outbox' && t.email.includes(UNCONFIGURED_RECIPIENT)) {
      issues.push({ variable: 'PIPELINE_AUDIT_NOTIFY_TO', message: `digests are sent by ${delivery.transport}, but team '${t.name}' has no recipients: set PIPELINE_AUDIT_NOTIFY_TO or name teams in the config file` });
    }
  }
  return parsed.data;
}

/** The model for the one LLM call, or null (no key: the deterministic summary is used, and says so). */
export function readLlmConfig(src: EnvSource, issues: ConfigIssue[]): LlmConfig | null {
  const provider = (src.get('LLM_PROVIDER') ?? 'openai').toLowerCase();
  const key = src.first('LLM_API_KEY', 'OPENAI_API_KEY');
  if (key) src.secret(key.name);
  const model = src.get('LLM_MODEL');
  if (provider !== 'openai') {
    issues.push({ variable: 'LLM_PROVIDER', message: `'${provider}' is not supported; use 'openai' (any OpenAI-compatible endpoint through OPENAI_BASE_URL)` });
    return null;
  }
  if (!key) return null;
  if (!model) {
    issues.push({ variable: 'LLM_MODEL', message: `is required when ${key.name} is set (e.g. gpt-4o-mini, or your deployment's name)` });
    return null;
  }
  const baseUrl = src.get('OPENAI_BASE_URL');
  if (baseUrl && !/^https?:\/\//i.test(baseUrl)) issues.push({ variable: 'OPENAI_BASE_URL', message: `'${baseUrl}' is not an http(s) URL` });
  return { provider: 'openai', apiKey: key.value, model, ...(baseUrl ? { baseUrl } : {}) };
}

function validZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
