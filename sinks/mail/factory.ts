// The transport the configuration names: the outbox folder, SMTP or Microsoft Graph. The configuration's shape
// lives here, beside the transports it configures; config/delivery.ts fills it from the environment.
import { createGraphTransport, type GraphOptions, type TokenCredentialLike } from './graph.js';
import { createOutboxTransport } from './outbox.js';
import { createSmtpTransport, type SmtpOptions } from './smtp.js';
import type { MailTransport, TransportKind } from './types.js';

/** Graph settings as configured: the credential and the clock are dependencies, not configuration. */
export type GraphSettings = Omit<GraphOptions, 'credential' | 'now' | 'newRequestId'>;

export interface DeliveryConfig {
  transport: TransportKind;
  /** Absolute path of the outbox folder (the outbox transport, `--dry-run` and `demo`). */
  outboxDir: string;
  /** The From address. */
  from: string;
  smtp?: SmtpOptions;
  graph?: GraphSettings;
  /** Recipients of the default team when no teams are configured (PIPELINE_AUDIT_NOTIFY_TO). */
  notifyTo: string[];
  /** The default team's daily all-clear hour (PIPELINE_AUDIT_ALL_CLEAR_HOUR), null: none. */
  allClearHour: number | null;
}

export interface TransportDeps {
  now: () => Date;
  /** A credential for Graph instead of the client secret (e.g. workload identity federation). */
  credential?: TokenCredentialLike;
}

export async function createTransport(cfg: Pick<DeliveryConfig, 'transport' | 'outboxDir' | 'smtp' | 'graph'>, deps: TransportDeps): Promise<MailTransport> {
  switch (cfg.transport) {
    case 'outbox':
      return createOutboxTransport({ dir: cfg.outboxDir, now: deps.now });
    case 'smtp':
      if (!cfg.smtp) throw new TypeError('the smtp transport needs its settings (SMTP_URL or SMTP_HOST)');
      return createSmtpTransport(cfg.smtp);
    case 'graph':
      if (!cfg.graph) throw new TypeError('the graph transport needs its settings (OUTLOOK_SENDER, OUTLOOK_TENANT_ID, OUTLOOK_CLIENT_ID, OUTLOOK_CLIENT_SECRET)');
      return createGraphTransport({ ...cfg.graph, now: deps.now, ...(deps.credential ? { credential: deps.credential } : {}) });
  }
}
