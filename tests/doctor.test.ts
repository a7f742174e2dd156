// doctor's checks beyond the platforms: the model answers (an OpenAI-compatible fake on 127.0.0.1) and the mail
// transport logs in (a real SMTP server), each one line with its fix, secrets never shown.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AuditConfig } from '../config/load.js';
import { runDoctor } from '../doctor.js';
import { reply, startFakeOpenAI, type FakeOpenAI } from '../sim/openai.js';
import { startSmtpPeer, type SmtpPeer } from './sinks/mail/smtp-peer.js';

const dir = mkdtempSync(join(tmpdir(), 'pa-doctor-'));
let openai: FakeOpenAI;
let smtp: SmtpPeer;
beforeAll(async () => {
  openai = await startFakeOpenAI({ apiKey: 'doctor-llm-key-0001' });
  smtp = await startSmtpPeer({ starttls: false });
});
afterAll(async () => {
  await openai.stop();
  await smtp.close();
  rmSync(dir, { recursive: true, force: true });
});

const base = (over: Partial<AuditConfig>): AuditConfig => ({
  scopes: [],
  enabled: [],
  notEnabled: [],
  store: { kind: 'duckdb', path: join(dir, 'not-yet.duckdb') },
  initialLookbackMs: 3_600_000,
  cycleTimeoutMs: 60_000,
  limits: { maxPages: 10, maxDetailRequests: 1 },
  http: { retries: 0 },
  secrets: ['doctor-llm-key-0001', 'pa$$-secret'],
  configFile: null,
  ...over,
});

describe('doctor: model and mail', () => {
  it('the model answers: ok; a refused key: a finding with the fix, without the key', async () => {
    const llm = { provider: 'openai' as const, apiKey: 'doctor-llm-key-0001', model: 'gpt-test', baseUrl: openai.baseUrl };
    openai.enqueue(reply.text('OK'));
    const good = (await runDoctor(base({ llm }))).find((f) => f.target === 'model gpt-test')!;
    expect(good).toMatchObject({ ok: true });
    const bad = (await runDoctor(base({ llm: { ...llm, apiKey: 'wrong-key-wrong-key' } }))).find((f) => f.target === 'model gpt-test')!;
    expect(bad.ok).toBe(false);
    expect(bad.fix).toMatch(/LLM_API_KEY/);
    expect(JSON.stringify(bad)).not.toContain('doctor-llm-key-0001');
  });

  it('the SMTP server takes the login: ok; a wrong password: a finding, the password never shown', async () => {
    const smtpCfg = { host: '127.0.0.1', port: smtp.port, user: 'user', password: 'pa$$-secret', requireTLS: false };
    const delivery = { transport: 'smtp' as const, outboxDir: join(dir, 'outbox'), from: 'audit@example.com', smtp: smtpCfg, notifyTo: ['ops@example.com'], allClearHour: null };
    const ok = (await runDoctor(base({ delivery }))).find((f) => f.target === 'mail smtp')!;
    expect(ok).toMatchObject({ ok: true });
    const refused = (await runDoctor(base({ delivery: { ...delivery, smtp: { ...smtpCfg, password: 'not-the-password' } } }))).find((f) => f.target === 'mail smtp')!;
    expect(refused.ok).toBe(false);
    expect(JSON.stringify(refused)).not.toContain('not-the-password');
  });
});
