import { describe, it, expect } from '@jest/globals';
import { formatWhen } from '../../../summarize/digest/index.js';

describe('formatWhen', () => {
  it('gives UTC and the local time with abbreviation and offset on both sides of the Berlin DST change', () => {
    // Europe/Berlin springs forward at 01:00 UTC on 2026-03-29.
    expect(formatWhen(new Date('2026-03-29T00:30:00Z'), 'Europe/Berlin')).toBe('2026-03-29 00:30 UTC (01:30 CET, +01:00)');
    expect(formatWhen(new Date('2026-03-29T04:10:00Z'), 'Europe/Berlin')).toBe('2026-03-29 04:10 UTC (06:10 CEST, +02:00)');
    expect(formatWhen(new Date('2026-10-25T00:30:00Z'), 'Europe/Berlin')).toBe('2026-10-25 00:30 UTC (02:30 CEST, +02:00)');
    expect(formatWhen(new Date('2026-10-25T01:30:00Z'), 'Europe/Berlin')).toBe('2026-10-25 01:30 UTC (02:30 CET, +01:00)');
  });

  it('handles New York DST and repeats the local date when it differs', () => {
    // America/New_York springs forward at 07:00 UTC on 2026-03-08.
    expect(formatWhen(new Date('2026-03-08T06:30:00Z'), 'America/New_York')).toBe('2026-03-08 06:30 UTC (01:30 EST, -05:00)');
    expect(formatWhen(new Date('2026-03-08T07:30:00Z'), 'America/New_York')).toBe('2026-03-08 07:30 UTC (03:30 EDT, -04:00)');
    expect(formatWhen(new Date('2026-03-08T02:00:00Z'), 'America/New_York')).toBe('2026-03-08 02:00 UTC (2026-03-07 21:00 EST, -05:00)');
  });

  it('omits an abbreviation where the locale data has none, and prints only UTC without a zone', () => {
    expect(formatWhen(new Date('2026-03-29T04:10:00Z'), 'Asia/Kolkata')).toBe('2026-03-29 04:10 UTC (09:40, +05:30)');
    expect(formatWhen(new Date('2026-03-29T04:10:00Z'), null)).toBe('2026-03-29 04:10 UTC');
    expect(formatWhen(new Date('2026-03-29T04:10:00Z'), 'Not/AZone')).toBe('2026-03-29 04:10 UTC');
    expect(formatWhen(new Date(Number.NaN), 'Europe/Berlin')).toBe('unknown time');
  });
});
