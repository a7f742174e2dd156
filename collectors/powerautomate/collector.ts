// Power Automate cloud flows, read from the Dataverse `flowruns` elastic table through the Web API with Entra ID
// client credentials (platform-apis.md §3: the flow management API does not work app-only).
// Quirks that forced choices here:
// - Rows change after they are first written and ingestion lags, so the window filters on `modifiedon`.
// - Paging is `@odata.nextLink`, followed exactly as given, with `Prefer: odata.maxpagesize` resent on every page;
//   `$skip` is not supported and `$top` does not page.
// - Elastic tables may refuse `$orderby`: the listing then falls back to no order and sorts locally.
// - Only solution-aware flows get flowrun rows; history is kept 28 days by default (admins can shorten it).
import { z } from 'zod';
import { CollectorError, HttpError } from '../../errors.js';
import { headTail, redact } from '../../normalize/redact.js';
import { FlowRunSchema, normalizeFlowRun, normalizeWorkflow, WorkflowSchema, type FlowRun, type Workflow } from '../../normalize/powerautomate.js';
import type { JobObservation, RunObservation } from '../../normalize/schema.js';
import { paginate } from '../../connect/paging.js';
import type { TokenProvider } from '../../connect/tokens.js';
import { memoOf } from '../memo.js';
import { parseItems } from '../parse.js';
import { pageQueue } from '../stream.js';
import type { CheckResult, Collector, CollectContext, EmitRuns, TimeWindow } from '../types.js';

const DAY = 86_400_000;
const PAGE_SIZE = 5000; // Dataverse's default and maximum page size
const RUN_COLUMNS = 'flowrunid,name,status,starttime,endtime,triggertype,errorcode,errormessage,workflowid,_workflow_value,parentrunid,createdon,modifiedon';
const FLOW_COLUMNS = 'workflowid,workflowidunique,name,statecode,statuscode,type,_ownerid_value,modifiedon,resourceid';

const url = z.string().url().refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL');
export const powerAutomateScopeSchema = z.object({
  environmentUrl: url,
  apiUrl: url.optional(),
  environmentId: z.string().min(1).optional(),
  tenantId: z.string().min(1, 'is required'),
  clientId: z.string().min(1, 'is required'),
  clientSecret: z.string().min(1, 'is required'),
  authorityHost: url.optional(),
  authorityCaPem: z.string().optional(),
  name: z.string().optional(),
});
export type PowerAutomateScope = z.infer<typeof powerAutomateScopeSchema>;
type Ctx = CollectContext<PowerAutomateScope>;

const trim = (u: string) => u.replace(/\/+$/, '');
const apiBase = (s: PowerAutomateScope) => trim(s.apiUrl ?? `${trim(s.environmentUrl)}/api/data/v9.2`);

/**
 * An Entra ID client-credentials token for the environment, through @azure/identity (loaded on first use). A new
 * credential instance after `invalidate()` bypasses MSAL's token cache, so a revoked token is really replaced.
 */
export function entraTokenProvider(scope: PowerAutomateScope, scopeId: string): TokenProvider {
  let credential: { getToken(scopes: string, o: { abortSignal: AbortSignal }): Promise<{ token: string } | null> } | null = null;
  const resource = `${trim(scope.environmentUrl)}/.default`;
  return {
    async getToken(signal) {
      if (!credential) {
        const { ClientSecretCredential } = await import('@azure/identity');
        credential = new ClientSecretCredential(scope.tenantId, scope.clientId, scope.clientSecret, {
          ...(scope.authorityHost ? { authorityHost: scope.authorityHost, disableInstanceDiscovery: true } : {}),
          ...(scope.authorityCaPem ? { tlsOptions: { ca: scope.authorityCaPem } } : {}),
          retryOptions: { maxRetries: 2, retryDelayInMs: 200 },
        });
      }
      try {
        const t = await credential.getToken(resource, { abortSignal: signal });
        if (!t) throw new Error('no token returned');
        return t.token;
      } catch (e) {
        if (signal.aborted) throw e;
        throw tokenError(e, scope, scopeId);
      }
    },
    invalidate() {
      credential = null;
    },
  };
}

/**
 * A token failure as a CollectorError naming the tenant, the client and the authority, never the secret. Identity
 * reports a refusal (bad secret, unknown client) as AuthenticationRequiredError with the AADSTS text, and an
 * authority it could not reach or trust as CredentialUnavailableError (`endpoints_resolution_error`, which hides
 * a TLS cause: test-peers.md §2.2).
 */
function tokenError(e: unknown, scope: PowerAutomateScope, scopeId: string): CollectorError {
  const name = (e as Error | null)?.name ?? '';
  const first = String((e as Error | null)?.message ?? e).split('\n')[0] ?? '';
  const msg = headTail(redact(first, [scope.clientSecret]), 400);
  const authority = scope.authorityHost ?? 'https://login.microsoftonline.com';
  const unreachable = name === 'CredentialUnavailableError' || /endpoints_resolution_error/.test(first);
  const text = unreachable
    ? `could not get a token for client ${scope.clientId} in tenant ${scope.tenantId} from ${authority} (${msg}); check the tenant id, the network${scope.authorityHost ? ', and that the authority certificate is trusted (authorityCaPem)' : ''}`
    : `Entra ID refused a token for client ${scope.clientId} in tenant ${scope.tenantId}: ${msg}`;
  return new CollectorError('powerautomate', scopeId, text, { cause: e, isRetryable: unreachable });
}

interface Session {
  api: string;
  auth: TokenProvider;
  environmentId: string | null;
}

function session(ctx: Ctx): Session {
  // One credential per scope and cycle (the memo): MSAL's cache inside it then serves every chunk of a catch-up.
  const auth = memoOf(ctx)('powerautomate:token', () => entraTokenProvider(ctx.scope, ctx.scopeId));
  return { api: apiBase(ctx.scope), auth, environmentId: ctx.scope.environmentId ?? null };
}

// OData headers on every request; Prefer is resent on every page, as Dataverse requires. The flow listing also
// asks for formatted values, for the owner's name beside its GUID. (Accept: application/json comes from the HTTP layer.)
const HEADERS = { 'OData-MaxVersion': '4.0', 'OData-Version': '4.0', Prefer: `odata.maxpagesize=${PAGE_SIZE}` };
const FLOW_HEADERS = { ...HEADERS, Prefer: `${HEADERS.Prefer}, odata.include-annotations="OData.Community.Display.V1.FormattedValue"` };
const PageSchema = z.object({ value: z.array(z.unknown()), '@odata.nextLink': z.string().nullish() });

/**
 * Follows a listing's nextLinks, handing each page's items to `onPage` on the event loop's turn after the request
 * for the next page went out, at most one page ahead of what `onPage` has finished with (collectors/stream.ts).
 */
async function eachPage(ctx: Ctx, s: Session, first: string, label: string, onPage: (items: unknown[]) => Promise<void>, headers: Record<string, string> = HEADERS): Promise<void> {
  const pages = pageQueue();
  await paginate<string, never>({
    first,
    maxPages: ctx.limits.maxPages,
    label,
    onCap: (m) => ctx.incomplete(m),
    fetchPage: async (pageUrl) => {
      const res = await ctx.http.request({ url: pageUrl, headers, auth: s.auth });
      const page = PageSchema.safeParse(res.body);
      if (!page.success) throw new CollectorError('powerautomate', ctx.scopeId, `${label} answered JSON that is not an OData collection; check DATAVERSE_URL / DATAVERSE_API_URL`);
      const items = page.data.value;
      await pages.next(() => onPage(items));
      return { items: [], next: page.data['@odata.nextLink'] ?? undefined };
    },
  });
  await pages.done();
}

async function listAll(ctx: Ctx, s: Session, first: string, label: string, headers: Record<string, string> = HEADERS): Promise<unknown[]> {
  const out: unknown[] = [];
  await eachPage(ctx, s, first, label, async (items) => {
    for (const it of items) out.push(it);
  }, headers);
  return out;
}

async function listFlows(ctx: Ctx, s: Session): Promise<Workflow[]> {
  // GET workflows: https://learn.microsoft.com/power-automate/manage-flows-with-code (category 5 = modern flow)
  const first = `${s.api}/workflows?$filter=${encodeURIComponent('category eq 5')}&$select=${FLOW_COLUMNS}`;
  return parseItems(ctx, WorkflowSchema, await listAll(ctx, s, first, 'dataverse workflows', FLOW_HEADERS), 'workflowid', 'flow');
}

/**
 * Flows for run names. Runs matter more than their names, and names are optional: whatever stops the flow listing
 * (a role that can read Flow Run but not Process, a 5xx, a looping or capped listing), the runs are still
 * collected, unnamed, with one `names-unavailable` warning saying why. What would fail the run listing just the
 * same (no token, a token the environment refuses: 401) or a cancelled cycle fails the scope here.
 */
async function flowsForNames(ctx: Ctx, s: Session): Promise<Workflow[]> {
  let tokenFailed = false;
  const auth: TokenProvider = {
    getToken: (signal) =>
      s.auth.getToken(signal).catch((e: unknown) => {
        tokenFailed = true;
        throw e;
      }),
    invalidate: () => s.auth.invalidate(),
  };
  const unavailable = (why: string) => ctx.warn({ code: 'names-unavailable', message: `flow names unavailable (${why}); runs are collected without them` });
  try {
    // A listing cut short (page cap, repeated link) costs names only: a warning, not an incomplete collection.
    return await listFlows({ ...ctx, incomplete: (m) => unavailable(`${m}; some runs may lack their flow's name`) }, { ...s, auth });
  } catch (e) {
    if (ctx.signal.aborted || tokenFailed || (e instanceof HttpError && e.status === 401)) throw e;
    const denied = e instanceof HttpError && (e.status === 403 || e.status === 404);
    unavailable(`${e instanceof Error ? e.message : String(e)}${denied ? ': give the application user read on Process (workflow)' : ''}`);
    return [];
  }
}

const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

function runsUrl(s: Session, window: TimeWindow, ordered: boolean): string {
  const filter = `modifiedon ge ${iso(window.start)} and modifiedon le ${iso(window.end)}`;
  // GET flowruns: https://learn.microsoft.com/power-apps/developer/data-platform/webapi/reference/flowrun
  return `${s.api}/flowruns?$select=${RUN_COLUMNS}&$filter=${encodeURIComponent(filter)}${ordered ? `&$orderby=${encodeURIComponent('modifiedon asc')}` : ''}`;
}

function refusesOrderBy(e: unknown): boolean {
  return e instanceof HttpError && e.status === 400 && /order\s*by|orderby|sort/i.test(e.bodySnippet ?? '');
}

const byModified = (a: FlowRun, b: FlowRun) => (a.modifiedon ?? '').localeCompare(b.modifiedon ?? '') || a.flowrunid.localeCompare(b.flowrunid);

async function collectRuns(ctx: Ctx, window: TimeWindow, emit: EmitRuns): Promise<void> {
  const s = session(ctx);
  const flows = await flowsForNames(ctx, s);
  const byId = new Map(flows.map((f) => [f.workflowid.toLowerCase(), f]));
  const norm = { scope: ctx.scopeId, environmentId: s.environmentId, flows: byId, secrets: [ctx.scope.clientSecret] };
  // nextLink paging over a moving set can repeat a row. A run is emitted once, and again only when a later page
  // shows it modified later (the store keeps the newer); what is remembered is each run's id and modifiedon (this
  // window's, tens of bytes a run), never the run.
  const emitted = new Map<string, string>();
  const onPage = async (raw: unknown[]) => {
    const out: RunObservation[] = [];
    for (const r of parseItems<FlowRun>(ctx, FlowRunSchema, raw, 'flowrunid', 'flow run').sort(byModified)) {
      const modified = r.modifiedon ?? '';
      const before = emitted.get(r.flowrunid);
      if (before !== undefined && modified <= before) continue;
      emitted.set(r.flowrunid, modified);
      const obs = normalizeFlowRun(r, norm);
      if (obs.status.category === 'unknown') ctx.warn({ code: 'unknown-status', itemId: r.flowrunid, message: `flow run status '${obs.status.raw}' is not one pipeline-audit knows; stored as unknown` });
      out.push(obs);
    }
    if (out.length > 0) await emit(out);
  };
  try {
    await eachPage(ctx, s, runsUrl(s, window, true), 'dataverse flowruns', onPage);
  } catch (e) {
    // The refusal answers the first request, before any page was handled.
    if (!refusesOrderBy(e)) throw e;
    // Elastic tables may refuse $orderby: read unordered (each page is still sorted before it is handed over).
    ctx.warn({ code: 'orderby-refused', message: 'the flowruns table refused $orderby; read without it and sorted locally, page by page' });
    await eachPage(ctx, s, runsUrl(s, window, false), 'dataverse flowruns', onPage);
  }
}

async function listJobs(ctx: Ctx): Promise<JobObservation[]> {
  const s = session(ctx);
  return (await listFlows(ctx, s)).map((w) => normalizeWorkflow(w, { scope: ctx.scopeId, environmentId: s.environmentId }));
}

// Fix hints for `doctor`, most specific first. Dataverse's wording is from Learn and unverified (platform-apis §3.6).
function fixFor(e: unknown, scope: PowerAutomateScope): string {
  const text = `${(e as Error).message ?? ''} ${e instanceof HttpError ? (e.bodySnippet ?? '') : ''}`;
  const status = e instanceof HttpError ? e.status : undefined;
  if (/AADSTS7000215|invalid_client/i.test(text)) return 'the client secret is wrong or expired: create a new secret for the app registration and update POWER_AUTOMATE_CLIENT_SECRET';
  if (/AADSTS700016|AADSTS90002/i.test(text)) return 'the client id or tenant id is wrong: check POWER_AUTOMATE_CLIENT_ID / POWER_AUTOMATE_TENANT_ID';
  if (/could not get a token/.test(text)) return 'the Entra ID authority could not be reached: check the tenant id, AZURE_AUTHORITY_HOST and the network';
  if (status === 401 || /not a member of the organization|0x80072560/i.test(text)) return 'the app is not an application user of this environment: add it in the Power Platform admin center (Environment → Settings → Users → App users)';
  if (status === 403) return 'give the application user a security role with read on Flow Run and Process (workflow) at Organization depth';
  if (status === 404) return `wrong environment or API URL (${apiBase(scope)}): DATAVERSE_URL should be https://<org>.crm<N>.dynamics.com, DATAVERSE_API_URL (if set) its /api/data/v9.2`;
  if (status === null) return `could not reach ${apiBase(scope)}: check DATAVERSE_URL (https://<org>.crm<N>.dynamics.com), DATAVERSE_API_URL and the network`;
  return 'check DATAVERSE_URL, the network and the credentials';
}

async function check(ctx: Ctx): Promise<CheckResult> {
  const s = session(ctx);
  let step = 'token';
  try {
    await s.auth.getToken(ctx.signal);
    step = 'read flowruns';
    // GET flowruns ($top=1 does not page): is Flow Run readable by the application user?
    await ctx.http.request({ url: `${s.api}/flowruns?$select=flowrunid&$top=1`, headers: HEADERS, auth: s.auth });
    step = 'list flows';
    const flows = await listFlows(ctx, s);
    const suspended = flows.filter((f) => f.statecode === 2).length;
    return { ok: true, message: `token ok, flow runs readable, ${flows.length} flows visible${suspended ? ` (${suspended} suspended)` : ''}`, jobsVisible: flows.length };
  } catch (e) {
    return { ok: false, message: `${step}: ${(e as Error).message}`, fix: fixFor(e, ctx.scope) };
  }
}

export const powerAutomateCollector: Collector<PowerAutomateScope> = {
  platform: 'powerautomate',
  title: 'Power Automate',
  scopeSchema: powerAutomateScopeSchema,
  scopeId: (s) => new URL(s.environmentUrl).host,
  // Dataverse keeps flow runs 28 days by default (organization.flowruntimetoliveinseconds); admins can shorten it.
  retentionMs: 28 * DAY,
  // Ingestion lags and rows are updated after they are written: re-read an hour.
  overlapMs: 60 * 60_000,
  maxChunkMs: DAY,
  concurrency: 4,
  listJobs,
  collectRuns,
  check,
};
