// Power Automate cloud flows (through Dataverse): everything about the platform in one module.
import { powerAutomateCollector } from './collector.js';
import { powerAutomateConfig } from './config.js';
import type { PlatformModule } from '../module.js';

export const powerAutomate: PlatformModule = {
  platform: 'powerautomate',
  collector: powerAutomateCollector,
  config: powerAutomateConfig,
  capability: {
    apiRead: 'Dataverse Web API flowruns and workflows (category 5)',
    retries: 'child flows linked to their parent run',
    errorText: 'errorcode and errormessage (JSON reduced to its message)',
    historyKept: '28 days by default; only solution-aware flows',
  },
};
export { powerAutomateCollector, powerAutomateScopeSchema, type PowerAutomateScope } from './collector.js';
