// GitHub Actions output of a cycle, when running there: secret values masked first (`::add-mask::`), then the job
// summary (markdown, summarize/step-summary.ts) and the annotations (`::error title=…::…`). Written with
// @actions/core, which escapes workflow-command data (`%`, CR, LF) and properties (also `:` and `,`), so no vendor
// string can end a command early or start a new one. The module is loaded only inside Actions.
//
// @actions/core reads GITHUB_STEP_SUMMARY from process.env itself; `env` decides whether this runs at all (the CLI
// passes process.env).
import type { Env } from '../config/load.js';
import type { AuditReport } from '../summarize/report.js';
import { annotations, renderStepSummary, type StepSummaryExtras } from '../summarize/step-summary.js';

type Core = typeof import('@actions/core');

export const inGitHubActions = (env: Env): boolean => env.GITHUB_ACTIONS === 'true' || Boolean(env.GITHUB_STEP_SUMMARY);

/**
 * The strings to register as masks for a secret: the value, and each line of a multi-line value (a PEM key), since
 * the runner masks line by line. Very short lines are skipped: masking `==` would garble the whole log.
 */
export function maskValues(secrets: readonly string[]): string[] {
  const out = new Set<string>();
  for (const s of secrets) {
    if (s.trim().length < 4) continue;
    out.add(s);
    if (/[\r\n]/.test(s)) for (const line of s.split(/\r?\n|\r/)) if (line.trim().length >= 4) out.add(line.trim());
  }
  return [...out];
}

let corePromise: Promise<Core> | null = null;
const loadCore = (): Promise<Core> => (corePromise ??= import('@actions/core'));

/** Registers every secret value as a mask. Call it before anything else is written; repeating it is harmless. */
export async function maskSecretsInActions(o: { secrets: readonly string[]; env: Env }): Promise<number> {
  if (!inGitHubActions(o.env)) return 0;
  const core = await loadCore();
  const values = maskValues(o.secrets);
  for (const v of values) core.setSecret(v);
  return values.length;
}

export interface ActionsOutcome {
  /** False outside GitHub Actions: nothing was written. */
  active: boolean;
  masked: number;
  summaryWritten: boolean;
  annotations: number;
  /** Why the summary could not be written (the cycle's result does not depend on it). */
  summaryError: string | null;
}

/** Masks the secrets, writes the job summary and emits the annotations. Never throws for a summary it cannot write. */
export async function reportToActions(o: { secrets: readonly string[]; report: AuditReport; extras?: StepSummaryExtras; env: Env }): Promise<ActionsOutcome> {
  const outcome: ActionsOutcome = { active: false, masked: 0, summaryWritten: false, annotations: 0, summaryError: null };
  if (!inGitHubActions(o.env)) return outcome;
  outcome.active = true;
  outcome.masked = await maskSecretsInActions(o);
  const core = await loadCore();
  if (o.env.GITHUB_STEP_SUMMARY) {
    try {
      await core.summary.addRaw(renderStepSummary(o.report, o.extras)).write();
      outcome.summaryWritten = true;
    } catch (e) {
      outcome.summaryError = (e as Error).message;
    } finally {
      core.summary.emptyBuffer();
    }
  }
  for (const a of annotations(o.report, o.extras)) {
    core[a.level](a.message, { title: a.title });
    outcome.annotations++;
  }
  return outcome;
}
