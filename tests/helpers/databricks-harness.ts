// Shared by the Databricks tests: simulators started on 127.0.0.1 port 0 with every response recorded, checked
// against the vendor contract (tests/contracts/databricks-jobs-runs.schema.json) and closed after each test.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { databricksCollector, type DatabricksScope } from '../../collectors/databricks/collector.js';
import { DELIBERATELY_UNKNOWN_VALUES, FAKE_PAT, type SimData } from '../../sim/databricks-data.js';
import { startDatabricksSimulator, type DatabricksSimOptions, type DatabricksSimulator } from '../../sim/databricks.js';
import type { CollectLimits } from '../../collectors/types.js';
import type { HttpOptions } from '../../connect/http.js';
import { testContext, type TestContext } from './context.js';

const schema = JSON.parse(readFileSync(join(process.cwd(), 'tests/contracts/databricks-jobs-runs.schema.json'), 'utf8')) as { $id: string };
// The schema carries an x-source annotation and int32/int64 formats (Go types); teach ajv those, strictly.
const ajv = new Ajv2020.default({ strict: false, allErrors: true });
addFormats.default(ajv);
ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isSafeInteger(n) });
ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
ajv.addSchema(schema);
const validator = (def: string) => {
  const v = ajv.getSchema(`${schema.$id}#/$defs/${def}`);
  if (!v) throw new Error(`no ${def} in the contract`);
  return v;
};
const byPath: Record<string, ReturnType<typeof validator>> = {
  '/api/2.2/jobs/runs/list': validator('ListRunsResponse'),
  '/api/2.2/jobs/runs/get': validator('Run'),
  '/api/2.2/jobs/list': validator('ListJobsResponse'),
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Every recorded response checked: success bodies against their contract type, error bodies for the vendor's
 * `{error_code, message}` (API) or RFC 6749 shape (token endpoint). Enum misses are tolerated only for the values
 * the generator sends on purpose (the vendor says its enums grow); injected malformed bodies are skipped.
 */
export function contractViolations(sim: Pick<DatabricksSimulator, 'sent'>): string[] {
  const out: string[] = [];
  for (const r of sim.sent) {
    if (r.raw) continue;
    const where = `${r.path} ${r.status}`;
    if (r.path === '/oidc/v1/token') {
      const ok = r.status === 200 ? isObject(r.body) && typeof r.body.access_token === 'string' && typeof r.body.expires_in === 'number' : isObject(r.body) && typeof r.body.error === 'string';
      if (!ok) out.push(`${where}: not an OAuth token response`);
      continue;
    }
    if (r.status >= 400) {
      if (!isObject(r.body) || typeof r.body.error_code !== 'string' || typeof r.body.message !== 'string') out.push(`${where}: error body lacks error_code/message`);
      continue;
    }
    const validate = byPath[r.path];
    if (!validate) {
      out.push(`${where}: no contract type for this path`);
      continue;
    }
    if (validate(r.body)) continue;
    for (const e of validate.errors ?? []) {
      const value = e.instancePath.split('/').slice(1).reduce<unknown>((v, k) => (isObject(v) || Array.isArray(v) ? (v as Record<string, unknown>)[k] : undefined), r.body);
      if (e.keyword === 'enum' && typeof value === 'string' && DELIBERATELY_UNKNOWN_VALUES.includes(value)) continue;
      out.push(`${where}: ${e.instancePath} ${e.message ?? e.keyword}`);
    }
  }
  return out;
}

export const TOKEN = FAKE_PAT;

export interface Harness {
  sim(data: SimData, opts?: Omit<DatabricksSimOptions, 'data' | 'record'>): Promise<DatabricksSimulator>;
  context(sim: DatabricksSimulator, scope?: Partial<DatabricksScope>, opts?: { limits?: Partial<CollectLimits>; http?: HttpOptions; now?: () => Date }): TestContext<DatabricksScope>;
  /** Closes everything started; returns the contract violations found. */
  finish(): Promise<string[]>;
}

export function harness(): Harness {
  const sims: DatabricksSimulator[] = [];
  const contexts: TestContext<DatabricksScope>[] = [];
  return {
    async sim(data, opts = {}) {
      const s = await startDatabricksSimulator({ token: TOKEN, ...opts, data, record: true });
      sims.push(s);
      return s;
    },
    context(sim, scope = { token: TOKEN }, opts = {}) {
      const parsed = databricksCollector.scopeSchema.parse({ host: sim.url, ...scope });
      const tc = testContext('databricks', parsed, databricksCollector.scopeId(parsed), opts);
      contexts.push(tc);
      return tc;
    },
    async finish() {
      const violations = sims.flatMap((s) => contractViolations(s));
      await Promise.all(contexts.splice(0).map((c) => c.close()));
      await Promise.all(sims.splice(0).map((s) => s.close()));
      return violations;
    },
  };
}
