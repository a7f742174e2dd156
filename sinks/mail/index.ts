// The mail transports. Each loads its heavy dependency (nodemailer, @azure/identity) on first use.
export { createOutboxTransport, composeMime, fileStamp, teamSlug, type OutboxOptions } from './outbox.js';
export { createSmtpTransport, isRetryableSmtpError, SMTP_DEFAULT_TIMEOUTS, type SmtpOptions } from './smtp.js';
export { createGraphTransport, graphSendMailBody, GRAPH_BASE_URL, GRAPH_SCOPE, GRAPH_MAX_HEADERS, type GraphOptions, type TokenCredentialLike } from './graph.js';
export { DeliveryError, isValidMessageId, scrub } from './types.js';
export type { DeliveryErrorDetails, MailMessage, MailTransport, SendResult, TransportKind, VerifyCheck, VerifyResult } from './types.js';
export { createTransport, type DeliveryConfig, type GraphSettings, type TransportDeps } from './factory.js';
