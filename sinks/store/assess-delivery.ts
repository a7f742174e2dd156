// The delivery side both stores share: the notification ledger (what each team was last told per fingerprint), the
// delivery rows that make claim → send → confirm exactly-once, and the narrative cache. A message is `sent` only by
// confirmDelivery, which moves the ledger in the same transaction: a crash between the transport's acceptance and
// the confirmation leaves the row `sending`, found by readPendingDeliveries and resent under the same Message-ID.
import type { Ledger, LedgerEntry } from '../../normalize/assessment.js';
import type { Severity } from '../../normalize/incident.js';
import { affected, asBool, asDate, asStr, col, mergeRows, param, single, type Row, type SqlRunner, type SqlSession } from './assess-sql.js';
import { ASSESS_TABLES } from './tables.js';
import type { Delivery, DeliveryClaim, DeliveryConfirmation, DeliveryFailure, Narrative } from './types.js';

const LEDGER = ASSESS_TABLES.notification_ledger!;
const DELIVERIES = ASSESS_TABLES.deliveries!;
const NARRATIVES = ASSESS_TABLES.narratives!;

/** Per fingerprint the team's entry, or (no team) the latest entry of any team. */
export function readLedger(s: SqlSession, team?: string): Promise<Ledger> {
  const sql = `SELECT * FROM ${s.table('notification_ledger')}${team === undefined ? '' : ` WHERE team = ${param(s, 'id')}`}`;
  return s.read(async (q) => foldLedger(await q.query(sql, team === undefined ? [] : [team])));
}

const before = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Ledger rows, per fingerprint the latest entry (by time, then team): the same answer whatever order they came in. */
export function foldLedger(rows: readonly Row[]): Ledger {
  const entries = rows.map((r) => ({
    fingerprint: String(col(r, 'fingerprint')),
    entry: {
      lastState: String(col(r, 'last_state')) as LedgerEntry['lastState'],
      at: asDate(col(r, 'told_at'))!,
      severity: String(col(r, 'severity')) as Severity,
      errorClass: asStr(col(r, 'error_class')),
      team: String(col(r, 'team')),
    } satisfies LedgerEntry,
  }));
  entries.sort((a, b) => before(a.fingerprint, b.fingerprint) || a.entry.at.getTime() - b.entry.at.getTime() || before(a.entry.team, b.entry.team));
  const out: Record<string, LedgerEntry> = {};
  for (const e of entries) out[e.fingerprint] = e.entry;
  return out;
}

/**
 * Marks the message `sending` (a new claim, a retry after `failed`, or a resend of one left `sending`); false when
 * it was `sent` already. Claims run under the cycle's write lease, so two claimers never race here.
 */
export function claimDelivery(s: SqlSession, c: DeliveryClaim): Promise<boolean> {
  // One MERGE that leaves a `sent` row alone: its result (a row inserted or updated, or none) is the answer.
  return single(s, 'claiming a delivery', async (q) => (await mergeRows(s, q, DELIVERIES, [[c.messageId, c.team, c.cycleId, c.contentHash, 'sending', null, null, null, null, c.claimedAt, null]], 'all', "t.status <> 'sent'")) > 0);
}

/**
 * The UPDATE of the claimed row comes first and its result is the check: no row (never claimed, or claimed for
 * another team) and the transaction rolls back before the ledger moves. The team comes with the confirmation
 * instead of from a SELECT of the claim (one statement less per team: bench/README.md).
 */
export function confirmDelivery(s: SqlSession, c: DeliveryConfirmation): Promise<void> {
  const send = async (q: SqlRunner) => {
    const rows = await q.query(
      `UPDATE ${s.table('deliveries')} SET status = 'sent', transport_id = ${param(s, 'text')}, response = ${param(s, 'text')}, error = NULL, retryable = NULL, sent_at = ${param(s, 'timestamp')} WHERE message_id = ${param(s, 'id')} AND team = ${param(s, 'id')}`,
      [c.transportId, c.response, c.sentAt, c.messageId, c.team],
    );
    if (affected(rows) === 0) throw new Error(`no delivery ${c.messageId} claimed for team ${c.team}: claim before sending`);
  };
  // Without notices the UPDATE is the whole confirmation: one statement, atomic alone.
  if (c.notices.length === 0) return single(s, 'confirming a delivery', send);
  return s.tx('confirming a delivery', async (q) => {
    await send(q);
    await mergeRows(
      s,
      q,
      LEDGER,
      c.notices.map((n) => [n.fingerprint, c.team, n.state, n.severity, n.errorClass, c.sentAt, c.messageId]),
    );
  });
}

/** Records why a send failed; a message already `sent` stays sent. */
export async function failDelivery(s: SqlSession, f: DeliveryFailure): Promise<void> {
  await s.tx('recording a failed delivery', (q) =>
    q.query(`UPDATE ${s.table('deliveries')} SET status = 'failed', error = ${param(s, 'text')}, retryable = ${param(s, 'bool')} WHERE message_id = ${param(s, 'id')} AND status <> 'sent'`, [f.error, f.retryable, f.messageId]),
  );
}

function toDelivery(r: Row): Delivery {
  return {
    messageId: String(col(r, 'message_id')),
    team: String(col(r, 'team')),
    cycleId: String(col(r, 'cycle_id')),
    contentHash: String(col(r, 'content_hash')),
    status: String(col(r, 'status')) as Delivery['status'],
    transportId: asStr(col(r, 'transport_id')),
    response: asStr(col(r, 'response')),
    error: asStr(col(r, 'error')),
    retryable: asBool(col(r, 'retryable')),
    claimedAt: asDate(col(r, 'claimed_at'))!,
    sentAt: asDate(col(r, 'sent_at')),
  };
}

export function readPendingDeliveries(s: SqlSession): Promise<Delivery[]> {
  return s.read(async (q) => (await q.query(`SELECT * FROM ${s.table('deliveries')} WHERE status = 'sending' ORDER BY claimed_at, message_id`)).map(toDelivery));
}

export function readNarrative(s: SqlSession, factsHash: string): Promise<Narrative | null> {
  return s.read(async (q) => {
    const [r] = await q.query(`SELECT * FROM ${s.table('narratives')} WHERE facts_hash = ${param(s, 'id')}`, [factsHash]);
    return r ? { factsHash, json: String(col(r, 'narrative')), at: asDate(col(r, 'written_at'))! } : null;
  });
}

export async function writeNarrative(s: SqlSession, factsHash: string, json: string, at: Date): Promise<void> {
  await s.tx('caching the narrative', (q) => mergeRows(s, q, NARRATIVES, [[factsHash, json, at]]));
}
