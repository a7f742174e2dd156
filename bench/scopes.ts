// The scopes of a benchmark cycle: one per simulated platform the child process started, as the configuration
// would build them (each through its collector's own scope schema).
import { collectorFor } from '../collectors/registry.js';
import type { ScopeConfig } from '../config/load.js';
import type { BenchPlatform, Started } from './sim-server.js';

export function benchScopes(s: Started): ScopeConfig[] {
  const scopes: ScopeConfig[] = [];
  const add = (platform: BenchPlatform, raw: unknown) => {
    const c = collectorFor(platform);
    const scope = c.scopeSchema.parse(raw);
    scopes.push({ platform, scope, scopeId: c.scopeId(scope), source: 'bench' });
  };
  if (s.databricks) add('databricks', { host: s.databricks.url, token: 'bench-token' });
  if (s.airbyte) add('airbyte', { baseUrl: s.airbyte.url, apiKey: 'bench-key', workspaceIds: [] });
  if (s.powerautomate) {
    const e = s.powerautomate.entra;
    add('powerautomate', { environmentUrl: s.powerautomate.url, apiUrl: s.powerautomate.apiUrl, tenantId: e.tenantId, clientId: e.clientId, clientSecret: e.clientSecret, authorityHost: e.authorityHost, authorityCaPem: e.caPem });
  }
  return scopes;
}
