// Power Automate cloud flow runs, as the Dataverse `flowrun` elastic table holds them, normalized. Pure functions.
// Columns: tests/contracts/dataverse-flowrun.metadata.json (Learn: reference/entities/flowrun); flows from the
// `workflow` table (category 5 = modern flow).
import { z } from 'zod';
import { headTail, redact } from './redact.js';
import { truncate, wellFormed } from './text.js';
import type { JobObservation, RunObservation, RunStatus } from './schema.js';

export const FlowRunSchema = z.object({
  flowrunid: z.string().min(1),
  name: z.string().nullish(),
  status: z.string().nullish(),
  starttime: z.string().nullish(),
  endtime: z.string().nullish(),
  triggertype: z.string().nullish(),
  errorcode: z.string().nullish(),
  errormessage: z.string().nullish(),
  workflowid: z.string().nullish(),
  _workflow_value: z.string().nullish(),
  parentrunid: z.string().nullish(),
  modifiedon: z.string().nullish(),
  createdon: z.string().nullish(),
});
export type FlowRun = z.infer<typeof FlowRunSchema>;

export const WorkflowSchema = z.object({
  workflowid: z.string().min(1),
  name: z.string().nullish(),
  statecode: z.number().int().nullish(),
  resourceid: z.string().nullish(),
  _ownerid_value: z.string().nullish(),
  '_ownerid_value@OData.Community.Display.V1.FormattedValue': z.string().nullish(),
  modifiedon: z.string().nullish(),
});
export type Workflow = z.infer<typeof WorkflowSchema>;

/**
 * `status` is free text (String 100). The vendor's lists: product docs name Success/Failed/Cancelled; public code
 * sees Succeeded, Failed, Cancelled, Running, Faulted, TimedOut; the Logic Apps run states behind cloud flows are
 * Running, Waiting, Succeeded, Failed, Cancelled, Skipped, Suspended, Faulted, TimedOut, Aborted, Ignored
 * (platform-apis.md §3.1, §3.4). Matched case-insensitively; anything else is `unknown`, raw kept.
 */
export function flowRunStatus(raw: string | null | undefined): RunStatus {
  const value = (raw ?? '').trim();
  switch (value.toLowerCase()) {
    case 'succeeded':
    case 'success':
      return { category: 'succeeded', detail: null, raw: value };
    case 'failed':
      return { category: 'failed', detail: null, raw: value };
    case 'faulted':
      return { category: 'failed', detail: 'faulted', raw: value };
    case 'timedout':
      return { category: 'failed', detail: 'timed_out', raw: value };
    case 'suspended':
      // Decision: a suspended run stopped without finishing, and nothing in the row says it will resume; treating
      // it as running would hide it forever, so it counts as a failure (detail kept) that someone looks at.
      return { category: 'failed', detail: 'suspended', raw: value };
    case 'cancelled':
    case 'canceled':
      return { category: 'canceled', detail: null, raw: value };
    case 'aborted':
      return { category: 'canceled', detail: 'aborted', raw: value };
    case 'running':
      return { category: 'running', detail: null, raw: value };
    case 'waiting':
      return { category: 'running', detail: 'waiting', raw: value };
    case 'skipped':
      return { category: 'skipped', detail: null, raw: value };
    case 'ignored':
      // Logic Apps' Ignored: the run did no work (nothing failed), the same outcome as skipped.
      return { category: 'skipped', detail: 'ignored', raw: value };
    default:
      return { category: 'unknown', detail: null, raw: truncate(wellFormed(value), 500) };
  }
}

/** Parses a Dataverse DateTimeOffset (UTC `…Z`); null when absent or unparseable. */
export function parseDataverseTime(v: string | null | undefined): Date | null {
  if (!v) return null;
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : new Date(t);
}

const MAX_JSON_PARSE = 20_000;

/**
 * `errormessage` is a Memo of up to 20,000 characters that may hold JSON (`{"error":{"code","message"}}` or
 * `{"message"}`). Parse it defensively and only when bounded; fall back to the text itself.
 */
export function flowErrorText(message: string | null | undefined, secrets: readonly string[] = []): string | null {
  if (!message) return null;
  let text = message;
  const trimmed = message.trim();
  if (trimmed.length <= MAX_JSON_PARSE && (trimmed.startsWith('{') || trimmed.startsWith('['))) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      const pick = (o: unknown): string | null => {
        if (!o || typeof o !== 'object') return null;
        const rec = o as Record<string, unknown>;
        if (typeof rec.message === 'string') return rec.message;
        if (rec.error) return pick(rec.error);
        return null;
      };
      const found = pick(Array.isArray(parsed) ? parsed[0] : parsed);
      if (found) text = found;
    } catch {
      // Not JSON after all: the text is the message.
    }
  }
  return headTail(redact(text, secrets), 4000);
}

export interface NormalizeFlowOptions {
  scope: string;
  environmentId: string | null;
  flows: ReadonlyMap<string, Workflow>;
  secrets?: readonly string[];
}

/**
 * Portal link to a run. The flow id the portal uses for solution flows is, to our reading, the workflow's
 * `resourceid` (the Power Automate flow name GUID); the Dataverse `workflowid` is used only when the flow row has
 * none. Which column supplies it is not stated in Microsoft's docs: tests/powerautomate pin this choice.
 */
export function flowRunUrl(environmentId: string | null, flow: Workflow | undefined, workflowId: string, runName: string | null | undefined): string | null {
  if (!environmentId || !runName) return null;
  const flowId = flow?.resourceid || workflowId;
  return `https://make.powerautomate.com/environments/${encodeURIComponent(environmentId)}/flows/${encodeURIComponent(flowId)}/runs/${encodeURIComponent(runName)}`;
}

export function normalizeFlowRun(run: FlowRun, o: NormalizeFlowOptions): RunObservation {
  const workflowId = run._workflow_value || run.workflowid || 'unknown-flow';
  const flow = o.flows.get(workflowId.toLowerCase());
  const started = parseDataverseTime(run.starttime);
  const ended = parseDataverseTime(run.endtime);
  const status = flowRunStatus(run.status);
  // The `duration` column's unit is documented inconsistently (ms vs s): computed from the times instead.
  const durationMs = started && ended && ended >= started ? ended.getTime() - started.getTime() : null;
  return {
    platform: 'powerautomate',
    scope: o.scope,
    jobId: workflowId,
    jobName: flow?.name ? truncate(wellFormed(flow.name), 1000) : null,
    runId: run.flowrunid,
    attempt: 0,
    attemptGroup: run.flowrunid,
    isFinalAttempt: true,
    // `parentrunid` (String 100) is 'the parent run that triggered this run': kept verbatim, so every cycle stores
    // the same value; it names the parent's run as Power Automate does (the parent row's `name`, kept in raw).
    parentRunId: run.parentrunid ?? null,
    runType: null,
    status,
    scheduledAt: null,
    startedAt: started,
    endedAt: ended,
    updatedAt: parseDataverseTime(run.modifiedon),
    durationMs,
    trigger: run.triggertype ? truncate(wellFormed(run.triggertype), 100) : null,
    errorCode: run.errorcode ? truncate(wellFormed(run.errorcode), 200) : null,
    errorClass: null,
    errorMessage: status.category === 'succeeded' ? null : flowErrorText(run.errormessage, o.secrets),
    url: flowRunUrl(o.environmentId, flow, workflowId, run.name),
    rowsProcessed: null,
    bytesProcessed: null,
    raw: {
      name: run.name ?? null,
      workflowid: run.workflowid ?? null,
      status: run.status ?? null,
      isChildRun: Boolean(run.parentrunid),
      createdon: run.createdon ?? null,
      modifiedon: run.modifiedon ?? null,
    },
  };
}

const STATE: Record<number, { state: string; paused: boolean }> = {
  0: { state: 'off', paused: true },
  1: { state: 'on', paused: false },
  2: { state: 'suspended', paused: true },
};

export function normalizeWorkflow(w: Workflow, o: { scope: string; environmentId: string | null }): JobObservation {
  const st = w.statecode == null ? undefined : STATE[w.statecode];
  return {
    platform: 'powerautomate',
    scope: o.scope,
    jobId: w.workflowid,
    name: w.name ? truncate(wellFormed(w.name), 1000) : null,
    schedule: null, // the recurrence lives in the flow definition (clientdata), which is not read
    scheduleTimezone: null,
    paused: st ? st.paused : null,
    state: st ? st.state : w.statecode == null ? null : `statecode ${w.statecode}`,
    owner: w['_ownerid_value@OData.Community.Display.V1.FormattedValue'] ?? w._ownerid_value ?? null,
    tags: {},
    url: o.environmentId ? `https://make.powerautomate.com/environments/${encodeURIComponent(o.environmentId)}/flows/${encodeURIComponent(w.resourceid || w.workflowid)}/details` : null,
    deleted: false,
    raw: { workflowid: w.workflowid, resourceid: w.resourceid ?? null, statecode: w.statecode ?? null, modifiedon: w.modifiedon ?? null },
  };
}
