// Prompt tokens of the one LLM call at 10, 1,000 and 10,000 failing runs (target: ≤ 6,000 at 10,000), measured
// with the o200k tokenizer on the real prompt (system + user). Run: npx tsx bench/prompt-tokens.ts [--json]
import { DEFAULT_MAX_PROMPT_TOKENS, buildFacts } from '../summarize/llm/facts.js';
import { syntheticPlan } from '../sim/incidents.js';
import { loadTokenizer } from '../summarize/llm/prompt.js';

// The facts are measured with the o200k tokenizer, loaded on first need (summarize/llm/prompt.ts).
await loadTokenizer();

const rows: { failing: number; worstCase: boolean; groups: number; moreGroups: number; promptTokens: number; ms: number }[] = [];
for (const worstCase of [false, true]) {
  for (const failing of [10, 1_000, 10_000]) {
    const plan = syntheticPlan({ failing, distinctClasses: worstCase });
    const started = performance.now();
    const facts = buildFacts(plan);
    rows.push({ failing, worstCase, groups: facts.groups.length, moreGroups: facts.more?.groups ?? 0, promptTokens: facts.promptTokens, ms: Math.round(performance.now() - started) });
  }
}
if (process.argv.includes('--json')) {
  console.log(JSON.stringify({ target: DEFAULT_MAX_PROMPT_TOKENS, rows }, null, 2));
} else {
  console.log(`prompt tokens (o200k, system + user), target <= ${DEFAULT_MAX_PROMPT_TOKENS}`);
  console.log('failing  classes         groups  more  tokens  build ms');
  for (const r of rows) {
    console.log(`${String(r.failing).padStart(7)}  ${(r.worstCase ? 'one per incident' : 'realistic').padEnd(16)}${String(r.groups).padStart(6)}${String(r.moreGroups).padStart(6)}${String(r.promptTokens).padStart(8)}${String(r.ms).padStart(10)}`);
  }
  const over = rows.filter((r) => r.promptTokens > DEFAULT_MAX_PROMPT_TOKENS);
  if (over.length > 0) process.exitCode = 1;
}
