// Airbyte: everything about the platform in one module (collector, configuration, capability).
import { airbyteCollector } from './collector.js';
import { airbyteConfig } from './config.js';
import type { PlatformModule } from '../module.js';

export const airbyte: PlatformModule = {
  platform: 'airbyte',
  collector: airbyteCollector,
  config: airbyteConfig,
  capability: {
    apiRead: 'public API /jobs and /connections; configuration API for failure reasons (self-managed)',
    retries: 'one job, its attempts inside; `incomplete` while another attempt may follow',
    errorText: 'none in the public API; the failure reason from the configuration API when set',
    historyKept: 'not stated (30 days assumed)',
  },
};
export { airbyteCollector, airbyteScopeSchema, type AirbyteScope } from './collector.js';
