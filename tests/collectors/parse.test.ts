// Item-by-item parsing at the vendor boundary: good items kept, a bad one warned about by id and handed to the
// cycle's quarantine, never a crash and never a silent drop.
import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { parseItems } from '../../collectors/parse.js';
import type { CollectWarning, RejectedItem } from '../../collectors/types.js';

const Item = z.object({ id: z.union([z.string(), z.number()]), n: z.number().int().nonnegative() });

describe('parseItems', () => {
  it('keeps the valid items, warns about and hands on each invalid one with its id', () => {
    const warnings: CollectWarning[] = [];
    const rejected: RejectedItem[] = [];
    const items = [{ id: 'a', n: 1 }, { id: 7, n: -1 }, 'not an object', { n: 2 }, { id: 'b', n: 3 }];
    const out = parseItems({ warn: (w) => warnings.push(w), reject: (r) => rejected.push(r) }, Item, items, 'id', 'widget');
    expect(out).toEqual([{ id: 'a', n: 1 }, { id: 'b', n: 3 }]);
    expect(warnings.map((w) => [w.code, w.itemId])).toEqual([['invalid-item', '7'], ['invalid-item', undefined], ['invalid-item', undefined]]);
    expect(rejected.map((r) => r.item)).toEqual([{ id: 7, n: -1 }, 'not an object', { n: 2 }]);
    expect(rejected[0]!.reason).toMatch(/^widget does not match the expected shape: n: /);
  });

  it('still warns when no quarantine is attached (doctor, a library caller)', () => {
    const warnings: CollectWarning[] = [];
    expect(parseItems({ warn: (w) => warnings.push(w) }, Item, [{ id: 1, n: 'x' }], 'id', 'widget')).toEqual([]);
    expect(warnings).toHaveLength(1);
  });
});
