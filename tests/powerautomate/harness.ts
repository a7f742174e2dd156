// Fake Entra (https, self-signed) and fake Dataverse on 127.0.0.1 for the Power Automate tests, with every
// Dataverse response checked against the flowrun columns of tests/contracts/dataverse-flowrun.metadata.json.
import { readFileSync } from 'node:fs';
import { powerAutomateCollector, type PowerAutomateScope } from '../../collectors/powerautomate.js';
import type { DataverseSimData } from '../../collectors/sim/dataverse-data.js';
import { startDataverseSimulator, type DataverseSimulator } from '../../collectors/sim/dataverse.js';
import { startEntraSimulator, type EntraSimulator } from '../../collectors/sim/entra.js';
import type { HttpOptions } from '../../collectors/http.js';
import type { CollectLimits } from '../../collectors/types.js';
import { testContext, type TestContext } from '../helpers/context.js';

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

export interface Harness {
  entra(opts?: { expiresIn?: number }): Promise<EntraSimulator>;
  dataverse(data: DataverseSimData): Promise<DataverseSimulator>;
  context(e: EntraSimulator, d: DataverseSimulator, scope?: Partial<PowerAutomateScope>, o?: { limits?: Partial<CollectLimits>; http?: HttpOptions }): TestContext<PowerAutomateScope>;
  /** Closes everything; returns contract violations of every flowruns response sent. */
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
      await Promise.all(ctxs.map((c) => c.close()));
      const violations: string[] = [];
      for (const d of dvs) {
        for (const s of d.sent) {
          if (!s.path.endsWith('/flowruns') || s.status !== 200) continue;
          for (const row of (s.body as { value: Record<string, unknown>[] }).value) violations.push(...flowrunViolations(row));
        }
      }
      await Promise.all([...entras.map((e) => e.close()), ...dvs.map((d) => d.close())]);
      return violations;
    },
  };
}
