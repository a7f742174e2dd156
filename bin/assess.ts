// `assess --dry-run`: the assessment re-run at --now from what is stored (no collection, nothing written, no model
// call): what a cycle at that moment would open, resolve and tell each team.
import { randomUUID } from 'node:crypto';
import { healthSummary } from '../audit.js';
import { assessStored, DEFAULT_ASSESSMENT } from '../health.js';
import { renderHealthText } from '../summarize/report.js';
import { EXIT } from './cli-text.js';
import { withStore } from './oncall-store.js';
import type { CommonOptions, Emit } from './run.js';

export async function assessCommand(o: CommonOptions, emit: Emit): Promise<number> {
  return withStore(o, false, 'assess', async (store, ctx) => {
    const cycleId = `assess-dry-run-${randomUUID()}`;
    const health = await assessStored(store, { config: ctx.config.assessment ?? DEFAULT_ASSESSMENT, now: ctx.now, cycleId, secrets: ctx.config.secrets });
    const summary = healthSummary(health);
    const text = `pipeline-audit assess --dry-run at ${ctx.now.toISOString()} (from the store; nothing written, no model call)\n${renderHealthText(summary)}`;
    emit(text, { at: ctx.now.toISOString(), health: summary, plan: health.plan });
    return EXIT.OK;
  });
}
