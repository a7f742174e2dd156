// Validates the fake Airbyte server's responses against the vendor's OpenAPI files in tests/contracts/. OpenAPI 3.0
// schemas are not quite JSON Schema: `nullable: true` becomes a null-accepting type here, each document is added
// to ajv whole (so `#/components/schemas/...` refs resolve inside it), and the OpenAPI formats ajv does not know
// (`UUID`, `int64`, `set`, ...) are registered: UUID as a UUID check, the integer ones as range checks.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import AjvModule, { type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';
import { AIRBYTE_UNKNOWN_STATUS } from '../../sim/airbyte-data.js';
import type { AirbyteSimulator } from '../../sim/airbyte.js';

const Ajv = AjvModule.default;
const addFormats = addFormatsModule.default;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** OpenAPI 3.0 → JSON Schema: `nullable` to a type union; everything else kept. Collects format names on the way. */
function toJsonSchema(node: unknown, formats: Set<string>): unknown {
  if (Array.isArray(node)) return node.map((n) => toJsonSchema(n, formats));
  if (!isObject(node)) return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node)) out[k] = k === 'properties' && isObject(v) ? Object.fromEntries(Object.entries(v).map(([p, s]) => [p, toJsonSchema(s, formats)])) : toJsonSchema(v, formats);
  if (typeof out.format === 'string') formats.add(out.format);
  if (out.nullable === true) {
    delete out.nullable;
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    else if (out.enum) out.enum = [...(out.enum as unknown[]), null];
  }
  return out;
}

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
const formats = new Set<string>();
for (const [id, file] of [
  ['airbyte-public', 'airbyte-public-api.openapi.yaml'],
  ['airbyte-problems', 'airbyte-api-problems.yaml'],
  ['airbyte-config', 'airbyte-config-api.openapi.yaml'],
] as const) {
  const doc = parse(readFileSync(join(process.cwd(), 'tests/contracts', file), 'utf8')) as Json;
  ajv.addSchema({ $id: id, components: toJsonSchema(doc.components, formats) });
}
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const KNOWN: Record<string, { type: 'number'; validate: (n: number) => boolean } | { type: 'string'; validate: (s: string) => boolean }> = {
  UUID: { type: 'string', validate: (s) => UUID.test(s) },
  int64: { type: 'number', validate: (n) => Number.isSafeInteger(n) },
  int32: { type: 'number', validate: (n) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 },
};
for (const f of formats) {
  if (KNOWN[f]) ajv.addFormat(f, KNOWN[f]);
  else if (!ajv.formats[f]) ajv.addFormat(f, () => true); // descriptive only (`set`, `url`, ...)
}

export function schemaOf(doc: 'airbyte-public' | 'airbyte-problems' | 'airbyte-config', name: string): ValidateFunction {
  const v = ajv.getSchema(`${doc}#/components/schemas/${name}`);
  if (!v) throw new Error(`no ${name} in ${doc}`);
  return v;
}

const SUCCESS: [RegExp, ValidateFunction][] = [
  [/\/applications\/token$/, schemaOf('airbyte-public', 'PublicAccessTokenResponse')],
  [/^\/api\/v1\/jobs\/get(_without_logs)?$/, schemaOf('airbyte-config', 'JobInfoRead')],
  [/\/jobs$/, schemaOf('airbyte-public', 'JobsResponse')],
  [/\/jobs\/\d+$/, schemaOf('airbyte-public', 'JobResponse')],
  [/\/connections$/, schemaOf('airbyte-public', 'ConnectionsResponse')],
  [/\/workspaces$/, schemaOf('airbyte-public', 'WorkspacesResponse')],
];
const problem = schemaOf('airbyte-problems', 'BaseProblemFields');
const configError = schemaOf('airbyte-config', 'KnownExceptionInfo');

function valueAt(body: unknown, pointer: string): unknown {
  return pointer
    .split('/')
    .slice(1)
    .reduce<unknown>((v, k) => (isObject(v) || Array.isArray(v) ? (v as Json)[k] : undefined), body);
}

function errorsOf(v: ValidateFunction, body: unknown, where: string): string[] {
  if (v(body)) return [];
  return (v.errors ?? [])
    .filter((e) => !(e.keyword === 'enum' && valueAt(body, e.instancePath) === AIRBYTE_UNKNOWN_STATUS))
    .map((e) => `${where}: ${e.instancePath} ${e.message ?? e.keyword}`);
}

/**
 * Every recorded response checked: success bodies against their contract type; public API errors as RFC 9457
 * problems (BaseProblemFields, with `status` equal to the HTTP status) except the load-shed 429's `{message}`;
 * config API errors as KnownExceptionInfo. The one status the generator sends on purpose outside JobStatusEnum
 * is tolerated; injected bodies are skipped.
 */
export function contractViolations(sim: Pick<AirbyteSimulator, 'sent'>): string[] {
  const out: string[] = [];
  for (const r of sim.sent) {
    if (r.raw) continue;
    const where = `${r.path} ${r.status}`;
    if (r.status >= 400) {
      if (r.path.startsWith('/api/v1/')) out.push(...errorsOf(configError, r.body, where));
      else if (r.status === 429 && isObject(r.body) && typeof r.body.message === 'string' && !('title' in r.body)) continue;
      else {
        out.push(...errorsOf(problem, r.body, where));
        if (isObject(r.body) && r.body.status !== r.status) out.push(`${where}: problem status ${String(r.body.status)} differs`);
      }
      continue;
    }
    const v = SUCCESS.find(([re]) => re.test(r.path))?.[1];
    if (!v) out.push(`${where}: no contract type for this path`);
    else out.push(...errorsOf(v, r.body, where));
  }
  return out;
}
