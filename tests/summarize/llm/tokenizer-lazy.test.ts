// The prompt tokenizer (about 75 MB of memory) is loaded only when there is something to measure: a cycle with no
// news never loads it. Its own file, so that no other test has loaded it in this module registry.
import { describe, expect, it } from '@jest/globals';
import { summarizeWithModel } from '../../../summarize/llm/assessment.js';
import { loadTokenizer, promptTokens } from '../../../summarize/llm/prompt.js';
import type { NotificationPlan } from '../../../normalize/incident.js';

const quiet: NotificationPlan = { cycleId: 'c', at: new Date('2026-12-01T10:00:00Z'), teams: [] };

describe('the prompt tokenizer', () => {
  it('is not loaded by a cycle with no news, and measures once loaded', async () => {
    const a = await summarizeWithModel(quiet, { model: null, modelName: null, now: () => new Date('2026-12-01T10:00:00Z') });
    expect(a.outcome).toBe('skipped');
    expect(a.promptTokens).toBe(0);
    expect(() => promptTokens({ system: 'x', user: 'y' })).toThrow(/loadTokenizer/);
    await loadTokenizer();
    expect(promptTokens({ system: 'hello', user: 'world' })).toBeGreaterThan(2);
  });
});
