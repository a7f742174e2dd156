// What every mail transport (outbox folder, SMTP, Microsoft Graph) offers the delivery stage, and the one error
// type they throw. A transport never decides whether to retry: it says whether a retry could help (`retryable`),
// and the ledger retries on the next cycle.
import { PipelineAuditError } from '../../errors.js';

export interface MailMessage {
  from: string;
  to: string[];
  cc: string[];
  subject: string;
  html: string;
  text: string;
  /** Deterministic Message-ID in angle brackets, e.g. `<team.cycle.hash@pipeline-audit>`; lets receivers dedupe a re-send. */
  messageId: string;
  /** Extra headers; names must start with `X-` (Graph accepts no others, and at most 5). */
  headers?: Record<string, string>;
  /** The team the message is for; the outbox names its files after it. */
  team?: string;
}

export interface SendResult {
  /** The transport took the message (SMTP 250, Graph 202, file written). Not a delivery receipt. */
  accepted: boolean;
  /** The transport's id: SMTP's queue answer is in `response`; Graph's request-id; the outbox's .eml path. */
  id: string | null;
  /** The transport's answer, secrets removed. */
  response: string;
  /** Files written (outbox only). */
  files?: string[];
}

export interface VerifyCheck {
  name: string;
  /** null: could not be checked (e.g. a permission the check needs is not granted). */
  ok: boolean | null;
  detail: string;
}

export interface VerifyResult {
  ok: boolean;
  checks: VerifyCheck[];
}

export type TransportKind = 'outbox' | 'smtp' | 'graph';

export interface MailTransport {
  readonly kind: TransportKind;
  send(msg: MailMessage): Promise<SendResult>;
  verify?(): Promise<VerifyResult>;
  close(): Promise<void>;
}

export interface DeliveryErrorDetails {
  transport: TransportKind;
  retryable: boolean;
  /** SMTP reply code or HTTP status, when there was one. */
  status?: number | null;
  /** Vendor or network code: `EENVELOPE`, `ECONNREFUSED`, `ErrorAccessDenied`, ... */
  code?: string | null;
  /** From a Retry-After header, in milliseconds. */
  retryAfterMs?: number | null;
}

export class DeliveryError extends PipelineAuditError {
  readonly transport: TransportKind;
  readonly retryable: boolean;
  readonly status: number | null;
  readonly code: string | null;
  readonly retryAfterMs: number | null;
  constructor(message: string, details: DeliveryErrorDetails, options: { cause?: unknown } = {}) {
    super('delivery', message, { ...options, isRetryable: details.retryable });
    this.transport = details.transport;
    this.retryable = details.retryable;
    this.status = details.status ?? null;
    this.code = details.code ?? null;
    this.retryAfterMs = details.retryAfterMs ?? null;
  }
}

/** Replace every occurrence of each secret (longer than 3 characters) with `***`. */
export function scrub(text: string, secrets: readonly (string | null | undefined)[]): string {
  let out = text;
  for (const s of secrets) if (s && s.length > 3) out = out.split(s).join('***');
  return out;
}

/** The Message-ID shape RFC 5322 §3.6.4 asks for (`<left@right>`, no spaces or controls), bounded in length. */
export function isValidMessageId(id: string): boolean {
  return id.length <= 250 && /^<[\x21-\x3b\x3d\x3f-\x7e]+@[\x21-\x3b\x3d\x3f-\x7e]+>$/.test(id);
}
