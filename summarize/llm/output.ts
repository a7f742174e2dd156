// What the model may answer, and how its answer is made safe. The schema is built per call: a group is cited
// through a `z.enum` of exactly the ids in the facts, so an answer about any other group fails validation.
// Length limits are not in the schema sent to the model (OpenAI's strict structured outputs do not promise to
// enforce `maxLength`, and one character too many would then fail the whole answer); they are stated in the
// descriptions and enforced here, after the answer, together with the removal of links and markup.
import { z } from 'zod';
import { cleanModelText } from './text.js';

export const HEALTH = ['healthy', 'degraded', 'critical'] as const;
export type Health = (typeof HEALTH)[number];
export const CONFIDENCE = ['low', 'medium', 'high'] as const;
export type Confidence = (typeof CONFIDENCE)[number];

export const MAX_HEADLINE_CHARS = 200;
export const MAX_GROUP_TEXT_CHARS = 300;

export interface ModelGroup {
  id: string;
  likelyCause: string;
  nextStep: string;
  confidence: Confidence;
}

export interface ModelAnswer {
  health: Health;
  headline: string;
  groups: ModelGroup[];
}

/** The output schema for one call; `ids` are the group ids of its facts (at least one). */
export function outputSchema(ids: readonly [string, ...string[]]) {
  return z.object({
    health: z.enum(HEALTH).describe('Overall health of the pipelines this cycle.'),
    headline: z.string().describe(`One plain sentence, at most ${MAX_HEADLINE_CHARS} characters, no numbers, names or links.`),
    groups: z
      .array(
        z.object({
          id: z.enum(ids).describe('The id of a group in the facts.'),
          likelyCause: z.string().describe(`At most ${MAX_GROUP_TEXT_CHARS} characters, plain text, no numbers, names or links.`),
          nextStep: z.string().describe(`At most ${MAX_GROUP_TEXT_CHARS} characters, plain text, no numbers, names or links.`),
          confidence: z.enum(CONFIDENCE),
        }),
      )
      .describe('At most one entry per group id.'),
  });
}

/**
 * The answer made safe: links, e-mail addresses and markup removed, lengths capped, groups with an id that is not
 * in the facts dropped, and a repeated id kept once (its first entry). Returns the ids it dropped, for the record.
 */
export function postProcess(answer: ModelAnswer, ids: readonly string[]): { answer: ModelAnswer; droppedIds: string[] } {
  const known = new Set(ids);
  const seen = new Set<string>();
  const droppedIds: string[] = [];
  const groups: ModelGroup[] = [];
  for (const g of answer.groups) {
    if (!known.has(g.id) || seen.has(g.id)) {
      droppedIds.push(g.id);
      continue;
    }
    seen.add(g.id);
    groups.push({
      id: g.id,
      likelyCause: cleanModelText(g.likelyCause, MAX_GROUP_TEXT_CHARS),
      nextStep: cleanModelText(g.nextStep, MAX_GROUP_TEXT_CHARS),
      confidence: g.confidence,
    });
  }
  return { answer: { health: answer.health, headline: cleanModelText(answer.headline, MAX_HEADLINE_CHARS), groups }, droppedIds };
}

/** A lenient reading used by the one repair: the same fields, any id, unknown keys ignored. */
const LenientAnswer = z.object({
  health: z.enum(HEALTH),
  headline: z.string(),
  groups: z.array(z.unknown()).default([]),
});
const LenientGroup = z.object({
  id: z.string(),
  likelyCause: z.string(),
  nextStep: z.string(),
  confidence: z.enum(CONFIDENCE).catch('low'),
});

/**
 * The single repair of an answer that failed validation, done locally (no second model call): take the JSON
 * object out of code fences or surrounding prose, drop trailing commas, then read it leniently; a group that is
 * malformed or cites an unknown id is dropped. Returns null when nothing usable is left (the caller falls back).
 */
export function repairAnswer(text: string, ids: readonly string[]): ModelAnswer | null {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start < 0 || end <= start) return null;
  const candidate = text.slice(start, end + 1).replace(/,\s*([}\]])/g, '$1');
  let parsed: unknown;
  try {
    parsed = JSON.parse(candidate);
  } catch {
    return null;
  }
  const top = LenientAnswer.safeParse(parsed);
  if (!top.success) return null;
  const known = new Set(ids);
  const groups: ModelGroup[] = [];
  for (const raw of top.data.groups) {
    const g = LenientGroup.safeParse(raw);
    if (g.success && known.has(g.data.id)) groups.push(g.data);
  }
  return { health: top.data.health, headline: top.data.headline, groups };
}
