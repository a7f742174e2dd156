// The delivery step: one digest per team with news, claimed in the ledger, sent, then confirmed. The ledger moves
// only in confirmDelivery, after the transport accepted the message, so a failure or a crash before that leaves
// the news unconfirmed and the next plan carries it again. The Message-ID comes from the team and the news (not the
// rendering, which shows the clock), so a resend of news that may already have gone out — a process killed between
// the transport's acceptance and the confirmation — carries the same Message-ID and the receiver drops the copy.
// Per team, one team's failure never stops another's.
import { createHash } from 'node:crypto';
import type { NotificationPlan, PlannedNotice, TeamPlan } from './normalize/incident.js';
import { DeliveryError, type MailMessage, type MailTransport } from './sinks/mail/types.js';
import type { DeliveredNotice, Delivery, Store } from './sinks/store/types.js';
import { toDigestAssessment } from './summarize/digest/assessment.js';
import { renderDigest } from './summarize/digest/render.js';
import { isValidTimeZone } from './summarize/digest/time.js';
import type { Assessment } from './summarize/llm/assessment.js';
import type { DeliveryOutcome } from './summarize/step-summary.js';

export type DeliveryStep = 'claimed' | 'sent' | 'confirmed';

export interface AllClearTeam {
  name: string;
  email: string[];
  cc: string[];
  /** IANA zone; null or unknown: UTC. */
  timezone: string | null;
  /** Local hour (0-23) from which the day's all-clear goes out. */
  hour: number;
}

export interface DeliverDeps {
  /** The ledger; null when the store is down: messages still go out, but a re-run may repeat them. */
  store: Pick<Store, 'claimDelivery' | 'confirmDelivery' | 'failDelivery' | 'readPendingDeliveries'> | null;
  transport: MailTransport;
  now: () => Date;
  cycleId: string;
  from: string;
  reportPath?: string;
  /** Render to the (outbox) transport only; the ledger is neither read nor written. */
  dryRun?: boolean;
  allClear?: { teams: readonly AllClearTeam[] };
  /** Called at each step boundary of each message (tests stop a process there). */
  onStep?: (step: DeliveryStep, messageId: string) => void | Promise<void>;
}

export const MESSAGE_ID_DOMAIN = 'pipeline-audit';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

const stateOf = (n: PlannedNotice): DeliveredNotice['state'] => (n.reason === 'recovered' ? 'resolved' : 'open');

/**
 * The news a team's message carries, independent of rendering and of the clock: per notice its fingerprint, why it
 * is told, the state it tells, severity and error class, sorted. The same news gives the same hash.
 */
export function contentHash(team: TeamPlan): string {
  const items = team.notices
    .map((n) => [n.incident.fingerprint, n.reason, stateOf(n), n.incident.severity, n.incident.errorClass ?? ''].join('\u001f'))
    .sort();
  return sha256(JSON.stringify([team.team, ...items]));
}

/** `<32 hex@pipeline-audit>` from team, cycle and content hash. */
export function messageIdFor(team: string, cycleId: string, hash: string): string {
  return `<${sha256(`${team}|${cycleId}|${hash}`).slice(0, 32)}@${MESSAGE_ID_DOMAIN}>`;
}

/** The team's local date (`2026-03-29`) and hour at `now`, DST included (Intl does the zone arithmetic). */
export function localDateHour(now: Date, timeZone: string | null): { date: string; hour: number } {
  const tz = timeZone && isValidTimeZone(timeZone) ? timeZone : 'UTC';
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', hourCycle: 'h23' }).formatToParts(now);
  const get = (t: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === t)?.value ?? '';
  return { date: `${get('year')}-${get('month')}-${get('day')}`, hour: Number(get('hour')) };
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e)).slice(0, 500);

interface Outgoing {
  team: TeamPlan;
  messageId: string;
  contentHash: string;
  notices: DeliveredNotice[];
  /** Told in the outcome when it is sent: `all clear for 2026-03-29`. */
  note: string | null;
}

export async function deliverPlan(plan: NotificationPlan, assessment: Assessment | null, deps: DeliverDeps): Promise<DeliveryOutcome[]> {
  const kind = deps.transport.kind;
  const dry = deps.dryRun === true;
  const store = dry ? null : deps.store;
  const outcomes: DeliveryOutcome[] = [];

  // Messages a process left `sending` (it died between claim and confirm): their news is still unconfirmed, so this
  // plan carries it again; identical news reuses the old Message-ID, so a copy that did go out is deduped.
  let pending: Delivery[] = [];
  let storeDown: string | null = dry ? null : deps.store === null ? 'no store' : null;
  if (store) {
    try {
      pending = await store.readPendingDeliveries();
    } catch (e) {
      storeDown = errorText(e);
    }
  }
  const reused = new Set<string>();

  const outgoing: Outgoing[] = [];
  for (const team of plan.teams) {
    if (team.notices.length === 0) continue;
    const hash = contentHash(team);
    const earlier = pending.find((p) => p.team === team.team && p.contentHash === hash);
    if (earlier) reused.add(earlier.messageId);
    const seen = new Set<string>();
    const notices: DeliveredNotice[] = [];
    for (const n of team.notices) {
      if (seen.has(n.incident.fingerprint)) continue;
      seen.add(n.incident.fingerprint);
      notices.push({ fingerprint: n.incident.fingerprint, state: stateOf(n), severity: n.incident.severity, errorClass: n.incident.errorClass });
    }
    outgoing.push({ team, messageId: earlier?.messageId ?? messageIdFor(team.team, plan.cycleId, hash), contentHash: hash, notices, note: null });
  }
  outgoing.push(...allClears(plan, deps, dry || (store !== null && storeDown === null)));

  for (const o of outgoing) {
    const outcome = await deliverOne(o, assessment, deps, { store: storeDown === null ? store : null, storeDown, dry, kind });
    if (outcome) outcomes.push(outcome);
  }

  // Pending rows whose news this run did not resend are superseded: what still matters was re-planned and sent
  // under a new Message-ID (or there is nothing left to tell).
  if (store && storeDown === null) {
    for (const p of pending) {
      if (reused.has(p.messageId)) continue;
      try {
        await store.failDelivery({ messageId: p.messageId, error: 'superseded: its news was re-planned in a later message', retryable: false });
      } catch {
        // stays `sending` and is looked at again next cycle
      }
    }
  }
  return outcomes;
}

/** The day's all-clear for each configured team with nothing to report, once per team-local date. */
function allClears(plan: NotificationPlan, deps: DeliverDeps, canDedupe: boolean): Outgoing[] {
  const busy = new Set(plan.teams.filter((t) => t.notices.length > 0).map((t) => t.team));
  const out: Outgoing[] = [];
  // Without the ledger there is no "already sent today": the all-clear would go out every cycle, so it waits.
  if (!canDedupe) return out;
  for (const t of deps.allClear?.teams ?? []) {
    if (busy.has(t.name)) continue;
    const local = localDateHour(deps.now(), t.timezone);
    if (local.hour < t.hour) continue;
    const hash = sha256(`all-clear|${t.name}|${local.date}`);
    out.push({
      team: { team: t.name, email: [...t.email], cc: [...t.cc], timezone: t.timezone, notices: [] },
      // From team and local date only: every cycle of that date claims the same message, and a sent one is never re-claimed.
      messageId: `<allclear-${hash.slice(0, 32)}@${MESSAGE_ID_DOMAIN}>`,
      contentHash: hash,
      notices: [],
      note: `all clear for ${local.date}`,
    });
  }
  return out;
}

interface Ctx {
  store: DeliverDeps['store'];
  storeDown: string | null;
  dry: boolean;
  kind: string;
}

/** null: nothing to report (the day's all-clear went out in an earlier cycle). */
async function deliverOne(o: Outgoing, assessment: Assessment | null, deps: DeliverDeps, ctx: Ctx): Promise<DeliveryOutcome | null> {
  const team = o.team.team;
  const fail = (reason: string): DeliveryOutcome => ({ team, status: 'failed', transport: ctx.kind, reason });
  const digest = renderDigest(o.team, o.notices.length > 0 && assessment ? toDigestAssessment(assessment, team) : null, {
    cycleId: deps.cycleId,
    now: deps.now(),
    from: deps.from,
    ...(deps.reportPath !== undefined ? { reportPath: deps.reportPath } : {}),
  });
  const msg: MailMessage = {
    from: deps.from,
    to: o.team.email,
    cc: o.team.cc,
    subject: digest.subject,
    html: digest.html,
    text: digest.text,
    messageId: o.messageId,
    headers: { 'X-Pipeline-Audit-Cycle': deps.cycleId },
    team,
  };
  if (msg.to.length === 0) return { team, status: 'skipped', transport: ctx.kind, reason: 'the team has no recipients' };

  const store = ctx.store;
  if (store) {
    let claimed: boolean;
    try {
      claimed = await store.claimDelivery({ team, cycleId: deps.cycleId, messageId: o.messageId, contentHash: o.contentHash, claimedAt: deps.now() });
    } catch (e) {
      // Sending without a claim could repeat after a re-run; not sending could lose the news. The Message-ID is
      // deterministic, so a repeat is one the receiver can drop: send, and say so.
      return sendUnledgered(o, msg, deps, ctx, `the ledger could not claim it (${errorText(e)})`);
    }
    if (!claimed) return o.note ? null : { team, status: 'skipped', transport: ctx.kind, reason: 'already sent' };
    await deps.onStep?.('claimed', o.messageId);
    let result;
    try {
      result = await deps.transport.send(msg);
      if (!result.accepted) throw new DeliveryError(`the ${ctx.kind} transport did not accept the message: ${result.response}`, { transport: deps.transport.kind, retryable: true });
    } catch (e) {
      const retryable = e instanceof DeliveryError ? e.retryable : true;
      try {
        await store.failDelivery({ messageId: o.messageId, error: errorText(e), retryable });
      } catch {
        // the row stays `sending`: the next cycle supersedes or resends it, which is just as safe
      }
      return fail(`${errorText(e)}${retryable ? '' : ' (not retried: fix the configuration)'}`);
    }
    await deps.onStep?.('sent', o.messageId);
    try {
      await store.confirmDelivery({ messageId: o.messageId, team, transportId: result.id, response: result.response.slice(0, 500), sentAt: deps.now(), notices: o.notices });
    } catch (e) {
      return { team, status: 'sent', transport: ctx.kind, reason: `sent, but the ledger could not confirm it (${errorText(e)}): the next cycle resends it under the same Message-ID`, ...filesOf(result) };
    }
    await deps.onStep?.('confirmed', o.messageId);
    return { team, status: 'sent', transport: ctx.kind, reason: o.note, ...filesOf(result) };
  }
  if (ctx.dry) return sendUnledgered(o, msg, deps, ctx, null);
  return sendUnledgered(o, msg, deps, ctx, `the store is unavailable (${ctx.storeDown ?? 'no store'})`);
}

/** Dry run (`why` null) or no ledger: send, and say what that means. */
async function sendUnledgered(o: Outgoing, msg: MailMessage, deps: DeliverDeps, ctx: Ctx, why: string | null): Promise<DeliveryOutcome> {
  const team = o.team.team;
  let files: { files?: string[] };
  try {
    const result = await deps.transport.send(msg);
    if (!result.accepted) return { team, status: 'failed', transport: ctx.kind, reason: `the ${ctx.kind} transport did not accept the message: ${result.response}` };
    files = filesOf(result);
    await deps.onStep?.('sent', o.messageId);
  } catch (e) {
    return { team, status: 'failed', transport: ctx.kind, reason: errorText(e) };
  }
  const prefix = o.note ? `${o.note}; ` : '';
  if (why === null) return { team, status: 'sent', transport: ctx.kind, reason: `${prefix}dry run: written to the outbox, the ledger is untouched`, ...files };
  return { team, status: 'sent', transport: ctx.kind, reason: `${prefix}sent without the ledger: ${why}, so a re-run may send it again (same Message-ID)`, ...files };
}

/** The outbox's files (.eml and .html), so the CLI can print where a digest went. */
function filesOf(result: { files?: string[] }): { files?: string[] } {
  return result.files && result.files.length > 0 ? { files: [...result.files] } : {};
}
