import { describe, expect, it } from '@jest/globals';
import { outputSchema, postProcess, repairAnswer } from '../../../summarize/llm/output.js';
import { cleanModelText } from '../../../summarize/llm/text.js';

const ids = ['g1', 'g2'] as const;

describe('outputSchema', () => {
  it('accepts only the ids given', () => {
    const schema = outputSchema(['g1', 'g2']);
    const ok = { health: 'degraded', headline: 'h', groups: [{ id: 'g2', likelyCause: 'c', nextStep: 'n', confidence: 'low' }] };
    expect(schema.safeParse(ok).success).toBe(true);
    expect(schema.safeParse({ ...ok, groups: [{ ...ok.groups[0], id: 'g3' }] }).success).toBe(false);
    expect(schema.safeParse({ ...ok, health: 'fine' }).success).toBe(false);
  });
});

describe('cleanModelText', () => {
  it.each([
    ['See https://status.example.com/incidents/42 for details.', 'See for details.'],
    ['Check www.evil.com now', 'Check now'],
    ['Open evil.example.org/login?x=1 today', 'Open today'],
    ['Mail attacker@evil.com about it', 'Mail about it'],
    ['Read [the runbook](https://wiki.example.com/runbook) first', 'Read the runbook first'],
    ['<a href="http://x.test">click</a> <script>alert(1)</script>here', 'click alert(1)here'],
    ['**Restart** the `cluster` ![img](http://x/y.png)', 'Restart the cluster img'],
    ['javascript:alert(1) is not a step', ') is not a step'], // the scheme is what matters; a stray parenthesis is harmless
    ['Upgrade the driver to 3.2.1/stable', 'Upgrade the driver to 3.2.1/stable'],
  ])('%s', (input, expected) => {
    const out = cleanModelText(input, 300);
    expect(out).toBe(expected);
    expect(out).not.toMatch(/https?:|www\.|@evil|<|>/);
  });

  it('caps the length', () => {
    expect(cleanModelText('a'.repeat(1000), 300)).toHaveLength(300);
  });
});

describe('postProcess', () => {
  it('drops unknown and repeated ids, cleans and caps every text', () => {
    const { answer, droppedIds } = postProcess(
      {
        health: 'critical',
        headline: `Outage, see https://x.test/a ${'y'.repeat(400)}`,
        groups: [
          { id: 'g1', likelyCause: 'Token expired <b>now</b>', nextStep: 'Rotate it via www.example.com', confidence: 'high' },
          { id: 'g9', likelyCause: 'x', nextStep: 'y', confidence: 'low' },
          { id: 'g1', likelyCause: 'again', nextStep: 'again', confidence: 'low' },
        ],
      },
      ids,
    );
    expect(droppedIds).toEqual(['g9', 'g1']);
    expect(answer.headline.length).toBeLessThanOrEqual(200);
    expect(answer.headline).not.toContain('https');
    expect(answer.groups).toEqual([{ id: 'g1', likelyCause: 'Token expired now', nextStep: 'Rotate it via', confidence: 'high' }]);
  });
});

describe('repairAnswer (the one local repair)', () => {
  const good = { health: 'degraded', headline: 'h', groups: [{ id: 'g1', likelyCause: 'c', nextStep: 'n', confidence: 'medium' }] };
  it('takes the object out of a code fence and drops trailing commas', () => {
    const text = 'Here you go:\n```json\n{"health":"degraded","headline":"h","groups":[{"id":"g1","likelyCause":"c","nextStep":"n","confidence":"medium"},],}\n```';
    expect(repairAnswer(text, ids)).toEqual(good);
  });
  it('drops groups citing unknown ids or malformed', () => {
    const text = JSON.stringify({ ...good, groups: [...good.groups, { id: 'g7', likelyCause: 'c', nextStep: 'n', confidence: 'low' }, { id: 'g2' }] });
    expect(repairAnswer(text, ids)).toEqual(good);
  });
  it('gives up on what is not an answer', () => {
    expect(repairAnswer('I cannot help with that.', ids)).toBeNull();
    expect(repairAnswer('{"health":"great","headline":"h","groups":[]}', ids)).toBeNull();
    expect(repairAnswer('{"health":"degraded", "headline": "h", "groups": [', ids)).toBeNull();
  });
});
