// `silence`, `unsilence` and `ack`: the only on-call commands that write, each one small statement or transaction
// on the store. A silence is stored as given; the next assessment applies it (marks `silencedUntil`).
import { createHash } from 'node:crypto';
import type { Incident } from '../normalize/incident.js';
import type { StoredSilence } from '../sinks/store/types.js';
import { globMatch } from '../summarize/assess/index.js';
import { UsageError } from './args.js';
import { EXIT } from './cli-text.js';
import { esc, formatWhen, subjectOf } from './oncall-format.js';
import { authorOf, withStore } from './oncall-store.js';
import type { CommonOptions, Emit } from './run.js';

/** Does a silence's match cover this incident: its id, its fingerprint, or a glob on the job's id or name. */
export function silenceCovers(match: string, i: Pick<Incident, 'id' | 'fingerprint' | 'jobId' | 'jobName'>): boolean {
  if (match === i.id || match === i.fingerprint) return true;
  if (i.jobId === '') return false;
  return globMatch(match, i.jobId) || (i.jobName !== null && globMatch(match, i.jobName));
}

/** Deterministic: the same silence given at the same instant has the same id (a retried command adds nothing). */
export function silenceId(match: string, createdAt: Date, until: Date): string {
  return `sil_${createHash('sha256').update(`${match}\n${createdAt.toISOString()}\n${until.toISOString()}`).digest('hex').slice(0, 16)}`;
}

export async function silenceCommand(o: CommonOptions & { target: string; forMs: number; reason: string; author: string | undefined }, emit: Emit): Promise<number> {
  const { silence, covered, zoneOf } = await withStore(o, true, 'silence', async (store, ctx) => {
    const until = new Date(ctx.now.getTime() + o.forMs);
    const s: StoredSilence = { id: silenceId(o.target, ctx.now, until), match: o.target, until, author: authorOf(o.author, process.env), reason: o.reason, createdAt: ctx.now };
    await store.addSilence(s);
    const open = await store.readOpenIncidents();
    return { silence: s, covered: open.filter((i) => silenceCovers(o.target, i)), zoneOf: ctx.zoneOf };
  });
  const zone = covered.length > 0 && covered.every((i) => i.team === covered[0]!.team) ? zoneOf(covered[0]!.team) : null;
  const lines = [
    `silenced ${esc(silence.match)} until ${formatWhen(silence.until, zone)} (id ${silence.id}, by ${esc(silence.author)}: ${esc(silence.reason)})`,
    covered.length === 0 ? '  it matches no open incident now (it will hold back any that opens before it ends)' : `  it matches ${covered.length} open incident(s) now; the next cycle holds their notices back:`,
    ...covered.map((i) => `    ${i.kind} ${subjectOf(i)}  (${esc(i.id)})`),
    `  remove it early with: pipeline-audit unsilence ${silence.id}`,
  ];
  emit(lines.join('\n'), { silence, matchesOpen: covered.map((i) => i.id) });
  return EXIT.OK;
}

export async function unsilenceCommand(o: CommonOptions & { target: string }, emit: Emit): Promise<number> {
  const removed = await withStore(o, true, 'unsilence', (store) => store.removeSilence(o.target));
  if (removed === 0) throw new UsageError(`unsilence: no silence has the id or match '${esc(o.target)}' (pipeline-audit status lists the silences in force)`, 'unsilence');
  emit(`removed ${removed} silence(s) for ${esc(o.target)}`, { removed, idOrMatch: o.target });
  return EXIT.OK;
}

export async function ackCommand(o: CommonOptions & { target: string; author: string | undefined }, emit: Emit): Promise<number> {
  const author = authorOf(o.author, process.env);
  const { ok, at } = await withStore(o, true, 'ack', async (store, ctx) => ({ ok: await store.acknowledge(o.target, author, ctx.now), at: ctx.now }));
  if (!ok) throw new UsageError(`ack: no incident has the id '${esc(o.target)}' (pipeline-audit incidents --all lists them)`, 'ack');
  emit(`acknowledged ${esc(o.target)} by ${esc(author)} at ${formatWhen(at, null)}`, { incidentId: o.target, author, at });
  return EXIT.OK;
}
