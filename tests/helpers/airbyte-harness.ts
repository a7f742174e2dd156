// Shared by the Airbyte tests: fake servers on 127.0.0.1 port 0 with every response recorded and checked against
// the vendor contracts (contract.ts), collector contexts over real sockets, everything closed after each test.
import { airbyteCollector, type AirbyteScope } from '../../collectors/airbyte/collector.js';
import type { AirbyteSimData } from '../../sim/airbyte-data.js';
import { startAirbyteSimulator, type AirbyteSimOptions, type AirbyteSimulator } from '../../sim/airbyte.js';
import type { HttpOptions } from '../../connect/http.js';
import type { CollectLimits } from '../../collectors/types.js';
import { testContext, type TestContext } from './context.js';
import { contractViolations } from './airbyte-contract.js';

export const API_KEY = 'ab-static-key-7f3c91d2e4';
export const APP = { clientId: 'app-4d2a-audit', clientSecret: 'app-secret-Zx9+/=q' };

export interface Harness {
  sim(data: AirbyteSimData, opts?: Omit<AirbyteSimOptions, 'data' | 'record'>): Promise<AirbyteSimulator>;
  context(
    sim: AirbyteSimulator,
    scope?: Partial<AirbyteScope>,
    opts?: { limits?: Partial<CollectLimits>; http?: HttpOptions; now?: () => Date },
  ): TestContext<AirbyteScope>;
  /** Closes everything started; returns the contract violations found. */
  finish(): Promise<string[]>;
}

export function harness(): Harness {
  const sims: AirbyteSimulator[] = [];
  const contexts: TestContext<AirbyteScope>[] = [];
  return {
    async sim(data, opts = {}) {
      const s = await startAirbyteSimulator({ apiKey: API_KEY, ...opts, data, record: true });
      sims.push(s);
      return s;
    },
    context(sim, scope = { apiKey: API_KEY }, opts = {}) {
      const parsed = airbyteCollector.scopeSchema.parse({ baseUrl: sim.url, ...scope });
      const tc = testContext('airbyte', parsed, airbyteCollector.scopeId(parsed), opts);
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

/** The jobs of the data whose updatedAt lies in the window (bounds included), as the server filters them. */
export function jobsInWindow(data: AirbyteSimData, window: { start: Date; end: Date }, workspaceIds?: readonly string[]): number[] {
  const ws = new Map(data.connections.map((c) => [c.connectionId, c.workspaceId]));
  return data.jobs
    .filter((j) => j.updatedAt >= window.start.getTime() && j.updatedAt <= window.end.getTime())
    .filter((j) => !workspaceIds || workspaceIds.includes(ws.get(j.connectionId) ?? ''))
    .map((j) => j.jobId)
    .sort((a, b) => a - b);
}
