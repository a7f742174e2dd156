// Fake Entra (https, self-signed) and fake Dataverse on 127.0.0.1 for the Power Automate tests, with every
// Dataverse response checked against the vendor files: flowrun rows against the columns and types of
// tests/contracts/dataverse-flowrun.metadata.json, workflow rows against dataverse-workflows-list.example.json.
import { readFileSync } from 'node:fs';
import { powerAutomateCollector, type PowerAutomateScope } from '../../collectors/powerautomate/collector.js';
import type { DataverseSimData } from '../../sim/dataverse-data.js';
import { startDataverseSimulator, type DataverseSimulator } from '../../sim/dataverse.js';
import { startEntraSimulator, type EntraSimOptions, type EntraSimulator } from '../../sim/entra.js';
import type { HttpOptions } from '../../connect/http.js';
import type { CollectLimits } from '../../collectors/types.js';
import { testContext, type TestContext } from './context.js';

interface Attr {
  logicalName: string;
  type: string;
  maxLength?: number;
}
const META = JSON.parse(readFileSync(new URL('../contracts/dataverse-flowrun.metadata.json', import.meta.url), 'utf8')) as { attributes: Attr[] };
const COLUMNS = new Map(META.attributes.map((a) => [a.logicalName, a]));
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

/** Violations of the flowrun metadata in one row as the Web API returns it (lookups as `_x_value`). */
export function flowrunViolations(row: Record<string, unknown>): string[] {
  const out: string[] = [];
  if (!ETAG.test(String(row['@odata.etag']))) out.push(`@odata.etag: not a weak etag (${String(row['@odata.etag'])})`);
  for (const [key, value] of Object.entries(row)) {
    if (key.includes('@')) continue;
    const logical = /^_(\w+)_value$/.exec(key)?.[1] ?? key;
    const attr = COLUMNS.get(logical);
    if (!attr) {
      out.push(`${key}: not a flowrun column`);
      continue;
    }
    if (value === null) continue;
    const bad = (why: string) => out.push(`${key}: ${why} (${JSON.stringify(value).slice(0, 60)})`);
    switch (attr.type) {
      case 'String':
      case 'Memo':
        if (typeof value !== 'string') bad('not a string');
        else if (attr.maxLength && value.length > attr.maxLength) bad(`longer than ${attr.maxLength}`);
        break;
      case 'Uniqueidentifier':
      case 'Lookup':
        if (typeof value !== 'string' || !GUID.test(value)) bad('not a GUID');
        break;
      case 'DateTime':
        if (typeof value !== 'string' || !UTC.test(value)) bad('not a UTC DateTimeOffset');
        break;
      case 'BigInt':
      case 'Integer':
      case 'Picklist':
        if (typeof value !== 'number' || !Number.isInteger(value)) bad('not an integer');
        break;
    }
  }
  return out;
}

const EXAMPLE = JSON.parse(readFileSync(new URL('../contracts/dataverse-workflows-list.example.json', import.meta.url), 'utf8')) as { value: Record<string, unknown>[] };
const SAMPLE = EXAMPLE.value[0]!;
// Columns the fake serves beyond the docs' sample (its $select did not ask for them): Learn's workflow entity.
const EXTRA_WORKFLOW: Record<string, 'number' | 'guid'> = { statuscode: 'number', resourceid: 'guid' };
const ETAG = /^W\/"\d+"$/;

/** Violations of the shape of the docs' sample `workflows` response in one row (same types, GUIDs, UTC times). */
export function workflowViolations(row: Record<string, unknown>): string[] {
  const out: string[] = [];
  if (!ETAG.test(String(row['@odata.etag']))) out.push(`@odata.etag: not a weak etag (${String(row['@odata.etag'])})`);
  for (const [key, value] of Object.entries(row)) {
    const at = key.indexOf('@');
    if (at === 0) continue;
    if (at > 0) {
      if (!(key in SAMPLE) || typeof value !== 'string' || !(key.slice(0, at) in row)) out.push(`${key}: annotation not in the sample or without its column`);
      continue;
    }
    if (value === null) continue;
    const bad = (why: string) => out.push(`${key}: ${why} (${JSON.stringify(value).slice(0, 60)})`);
    if (key in SAMPLE) {
      const sample = SAMPLE[key];
      if (sample !== null && typeof sample !== typeof value) bad(`not a ${typeof sample}`);
      else if (typeof sample === 'string' && GUID.test(sample) && !GUID.test(String(value))) bad('not a GUID');
      else if (typeof sample === 'string' && UTC.test(sample) && !UTC.test(String(value))) bad('not a UTC DateTimeOffset');
    } else if (EXTRA_WORKFLOW[key] === 'number') {
      if (typeof value !== 'number') bad('not a number');
    } else if (EXTRA_WORKFLOW[key] === 'guid') {
      if (typeof value !== 'string' || !GUID.test(value)) bad('not a GUID');
    } else bad('not a workflow column of the sample');
  }
  return out;
}

export type ScopeOverrides = { [K in keyof PowerAutomateScope]?: PowerAutomateScope[K] | undefined };

export interface Harness {
  entra(opts?: EntraSimOptions): Promise<EntraSimulator>;
  dataverse(data: DataverseSimData): Promise<DataverseSimulator>;
  /** A context for the collector against these peers; `scope` overrides (undefined removes a field). */
  context(e: EntraSimulator, d: DataverseSimulator, scope?: ScopeOverrides, o?: { limits?: Partial<CollectLimits>; http?: HttpOptions }): TestContext<PowerAutomateScope>;
  /** Closes the peers and contexts started so far; returns contract violations of every Dataverse response sent. */
  finish(): Promise<string[]>;
}

export function harness(): Harness {
  const entras: EntraSimulator[] = [];
  const dvs: DataverseSimulator[] = [];
  const ctxs: TestContext<PowerAutomateScope>[] = [];
  return {
    async entra(opts = {}) {
      const e = await startEntraSimulator(opts);
      entras.push(e);
      return e;
    },
    async dataverse(data) {
      const d = await startDataverseSimulator({ data, record: true });
      dvs.push(d);
      return d;
    },
    context(e, d, scope = {}, o = {}) {
      const parsed = powerAutomateCollector.scopeSchema.parse({
        environmentUrl: d.url,
        environmentId: 'Default-env-0001',
        tenantId: e.tenantId,
        clientId: e.clientId,
        clientSecret: e.clientSecret,
        authorityHost: e.authorityHost,
        authorityCaPem: e.caPem,
        ...scope,
      });
      const tc = testContext('powerautomate', parsed, powerAutomateCollector.scopeId(parsed), o);
      ctxs.push(tc);
      return tc;
    },
    async finish() {
      await Promise.all(ctxs.splice(0).map((c) => c.close()));
      const violations: string[] = [];
      for (const d of dvs) {
        for (const s of d.sent.splice(0)) {
          if (s.status !== 200) continue;
          const check = s.path.endsWith('/flowruns') ? flowrunViolations : workflowViolations;
          for (const row of (s.body as { value: Record<string, unknown>[] }).value) violations.push(...check(row));
        }
      }
      await Promise.all([...entras.splice(0).map((e) => e.close()), ...dvs.splice(0).map((d) => d.close())]);
      return violations;
    },
  };
}

/** The rows of `data` whose modifiedon lies in the window (what a collection of that window must return). */
export function runsInWindow(data: DataverseSimData, w: { start: Date; end: Date }): Record<string, unknown>[] {
  const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return data.flowruns.filter((r) => String(r.modifiedon) >= iso(w.start) && String(r.modifiedon) <= iso(w.end));
}
