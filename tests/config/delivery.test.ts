import { describe, expect, it } from '@jest/globals';
import { readDeliveryConfig } from '../../config/delivery.js';
import { envSource } from '../../config/source.js';
import type { ConfigIssue } from '../../errors.js';
import { createTransport } from '../../sinks/mail/factory.js';

const CWD = '/srv/audit';

function read(env: Record<string, string>) {
  const issues: ConfigIssue[] = [];
  const src = envSource(env, issues);
  const config = readDeliveryConfig(src, issues, CWD);
  return { config, issues, secrets: src.secrets };
}

const OUTLOOK = { OUTLOOK_SENDER: 'alerts@contoso.com', OUTLOOK_TENANT_ID: 'tenant-1', OUTLOOK_CLIENT_ID: 'client-1', OUTLOOK_CLIENT_SECRET: 'outlook-secret-value' };

describe('readDeliveryConfig', () => {
  it('defaults to the outbox folder, a localhost sender and no recipients; empty values count as unset', () => {
    const { config, issues } = read({ SMTP_HOST: '', OUTLOOK_SENDER: '  ' });
    expect(issues).toEqual([]);
    expect(config).toEqual({ transport: 'outbox', outboxDir: '/srv/audit/pipeline-audit-outbox', from: 'pipeline-audit@localhost', notifyTo: [], allClearHour: null });
  });

  it('SMTP from host, port and login: STARTTLS required by default, the password a secret, the user the sender', () => {
    const { config, issues, secrets } = read({ SMTP_HOST: 'smtp.contoso.com', SMTP_PORT: '2525', SMTP_USER: 'alerts@contoso.com', SMTP_PASSWORD: 'smtp-pass-123', PIPELINE_AUDIT_NOTIFY_TO: 'a@contoso.com, b@contoso.com', PIPELINE_AUDIT_OUTBOX_DIR: 'out' });
    expect(issues).toEqual([]);
    expect(config.transport).toBe('smtp');
    expect(config.smtp).toEqual({ host: 'smtp.contoso.com', port: 2525, requireTLS: true, user: 'alerts@contoso.com', password: 'smtp-pass-123' });
    expect(config.from).toBe('alerts@contoso.com');
    expect(config.notifyTo).toEqual(['a@contoso.com', 'b@contoso.com']);
    expect(config.outboxDir).toBe('/srv/audit/out');
    expect(secrets).toContain('smtp-pass-123');
  });

  it('SMTP_URL wins, its password is a secret (encoded and decoded), and SMTP_REQUIRE_TLS=false turns TLS off', () => {
    const { config, issues, secrets } = read({ SMTP_URL: 'smtp://apikey:p%40ss-word@smtp.example.net:587', SMTP_REQUIRE_TLS: 'false', PIPELINE_AUDIT_MAIL_FROM: 'Pipeline audit <alerts@contoso.com>' });
    expect(issues).toEqual([]);
    expect(config.smtp).toEqual({ url: 'smtp://apikey:p%40ss-word@smtp.example.net:587', requireTLS: false });
    expect(config.from).toBe('Pipeline audit <alerts@contoso.com>');
    expect(secrets).toEqual(expect.arrayContaining(['smtp://apikey:p%40ss-word@smtp.example.net:587', 'p%40ss-word', 'p@ss-word']));
    expect(read({ SMTP_HOST: 'h', SMTP_USER: 'apikey', SMTP_FROM: 'ops@contoso.com' }).config.from).toBe('ops@contoso.com');
    expect(read({ SMTP_HOST: 'h', SMTP_USER: 'apikey' }).config.from).toBe('pipeline-audit@localhost');
  });

  it('Graph when OUTLOOK_SENDER is set, the sender as From, the client secret a secret', () => {
    const { config, issues, secrets } = read({ ...OUTLOOK, AZURE_AUTHORITY_HOST: 'https://login.microsoftonline.us' });
    expect(issues).toEqual([]);
    expect(config.transport).toBe('graph');
    expect(config.graph).toEqual({ sender: 'alerts@contoso.com', tenantId: 'tenant-1', clientId: 'client-1', clientSecret: 'outlook-secret-value', authorityHost: 'https://login.microsoftonline.us' });
    expect(config.from).toBe('alerts@contoso.com');
    expect(secrets).toEqual(['outlook-secret-value']);
  });

  it('OUTLOOK_* fall back to the AZURE_* names, and the OUTLOOK_* names win when both are set', () => {
    const fallback = read({ OUTLOOK_SENDER: 'alerts@contoso.com', AZURE_TENANT_ID: 't-az', AZURE_CLIENT_ID: 'c-az', AZURE_CLIENT_SECRET: 'azure-secret-value' });
    expect(fallback.issues).toEqual([]);
    expect(fallback.config.graph).toMatchObject({ tenantId: 't-az', clientId: 'c-az', clientSecret: 'azure-secret-value' });
    expect(fallback.secrets).toEqual(['azure-secret-value']);
    const both = read({ ...OUTLOOK, AZURE_TENANT_ID: 't-az', AZURE_CLIENT_ID: 'c-az', AZURE_CLIENT_SECRET: 'azure-secret-value' });
    expect(both.config.graph).toMatchObject({ tenantId: 'tenant-1', clientId: 'client-1', clientSecret: 'outlook-secret-value' });
  });

  it('AZURE_* credentials alone (Power Automate) do not switch to Graph', () => {
    expect(read({ AZURE_TENANT_ID: 't', AZURE_CLIENT_ID: 'c', AZURE_CLIENT_SECRET: 'azure-secret-value' }).config.transport).toBe('outbox');
  });

  it('reports every problem at once, naming the variable, never repeating a secret', () => {
    const { issues } = read({
      PIPELINE_AUDIT_MAIL_TRANSPORT: 'graph',
      OUTLOOK_SENDER: 'not an address',
      AZURE_AUTHORITY_HOST: 'http://login.example',
      PIPELINE_AUDIT_NOTIFY_TO: 'ok@contoso.com,nope',
      PIPELINE_AUDIT_ALL_CLEAR_HOUR: '24',
      PIPELINE_AUDIT_MAIL_FROM: 'x\r\nBcc: evil@example.com',
      SMTP_REQUIRE_TLS: 'maybe',
    });
    expect(issues.map((i) => i.variable)).toEqual([
      'SMTP_REQUIRE_TLS',
      'OUTLOOK_SENDER',
      'OUTLOOK_TENANT_ID (or AZURE_TENANT_ID)',
      'OUTLOOK_CLIENT_ID (or AZURE_CLIENT_ID)',
      'OUTLOOK_CLIENT_SECRET (or AZURE_CLIENT_SECRET)',
      'AZURE_AUTHORITY_HOST',
      'PIPELINE_AUDIT_MAIL_FROM',
      'PIPELINE_AUDIT_NOTIFY_TO',
      'PIPELINE_AUDIT_ALL_CLEAR_HOUR',
    ]);
    const smtp = read({ SMTP_URL: 'http://user:hunter2-secret@host', SMTP_PORT: '70000', PIPELINE_AUDIT_MAIL_TRANSPORT: 'pigeon' });
    expect(smtp.issues.map((i) => i.variable)).toEqual(['PIPELINE_AUDIT_MAIL_TRANSPORT', 'SMTP_URL']);
    expect(JSON.stringify(smtp.issues)).not.toContain('hunter2');
    const port = read({ SMTP_HOST: 'h', SMTP_PORT: '70000', SMTP_PASSWORD: 'pw-without-user' });
    expect(port.issues.map((i) => i.variable)).toEqual(['SMTP_PORT', 'SMTP_USER']);
    expect(read({ PIPELINE_AUDIT_MAIL_TRANSPORT: 'smtp' }).issues.map((i) => i.variable)).toEqual(['SMTP_HOST (or SMTP_URL)']);
  });

  it('the all-clear hour and the transport the factory builds', async () => {
    const { config } = read({ PIPELINE_AUDIT_ALL_CLEAR_HOUR: '7' });
    expect(config.allClearHour).toBe(7);
    const t = await createTransport(config, { now: () => new Date(0) });
    expect(t.kind).toBe('outbox');
    await t.close();
    const s = await createTransport(read({ SMTP_HOST: 'localhost' }).config, { now: () => new Date(0) });
    expect(s.kind).toBe('smtp');
    await s.close();
    await expect(createTransport({ transport: 'graph', outboxDir: '/x' }, { now: () => new Date(0) })).rejects.toThrow(/OUTLOOK_SENDER/);
  });
});
