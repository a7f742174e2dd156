import { describe, expect, it } from '@jest/globals';
import { AirbyteJobSchema, normalizeAirbyteJob } from '../../normalize/airbyte.js';
import { collapseRepeatedSentences } from '../../normalize/repeats.js';

describe('collapseRepeatedSentences', () => {
  it('folds consecutive copies of a sentence and keeps everything else', () => {
    const s = 'Something went wrong. WAL slot lagged. WAL slot lagged. WAL slot lagged. See the logs.';
    expect(collapseRepeatedSentences(s)).toBe('Something went wrong. WAL slot lagged. [repeated 3 times] See the logs.');
    expect(collapseRepeatedSentences('A. B. A. B.')).toBe('A. B. A. B.');
    expect(collapseRepeatedSentences('no sentence end')).toBe('no sentence end');
    expect(collapseRepeatedSentences('Line one.\nLine one.\nLine two!')).toBe('Line one. [repeated 2 times]\nLine two!');
  });

  it('is linear on a long repetitive message', () => {
    const s = 'x'.repeat(50) + '. '.repeat(1) + 'Retrying. '.repeat(100_000);
    expect(collapseRepeatedSentences(s)).toMatch(/Retrying\. \[repeated 100000 times\]/);
  });
});

describe('failure messages as normalized', () => {
  it('an Airbyte failure that repeats its sentence is stored with the sentence once', () => {
    const job = AirbyteJobSchema.parse({ jobId: 1, status: 'failed', jobType: 'sync', startTime: '2026-11-23T10:15Z', connectionId: 'c-1', lastUpdatedAt: '2026-11-23T10:23:12Z' });
    const text = `Something went wrong in the connector. ${'Postgres WAL slot airbyte_slot lagged behind the server. '.repeat(3)}See the logs for more details.`;
    const run = normalizeAirbyteJob(job, { scope: 's', webUrl: 'https://cloud.airbyte.com', secrets: [] }, null, { failureOrigin: 'source', failureType: 'system_error', externalMessage: text });
    expect(run.errorMessage).toBe('Something went wrong in the connector. Postgres WAL slot airbyte_slot lagged behind the server. [repeated 3 times] See the logs for more details.');
  });
});
