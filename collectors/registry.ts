// Every platform pipeline-audit can read, in one place. Adding a platform: its collector, its normalizer, one
// line here, its tests and fixtures, and a README row (tests/registry.test.ts keeps that true).
import type { Platform } from '../normalize/schema.js';
import type { AnyCollector } from './types.js';
import { airbyteCollector } from './airbyte.js';
import { databricksCollector } from './databricks.js';
import { powerAutomateCollector } from './powerautomate.js';
import { snowflakeTasksCollector } from './snowflake-tasks.js';

export const COLLECTORS: Readonly<Partial<Record<Platform, AnyCollector>>> = {
  airbyte: airbyteCollector,
  databricks: databricksCollector,
  powerautomate: powerAutomateCollector,
  snowflake: snowflakeTasksCollector,
};

/** The collector of a platform; throws for a platform this version cannot read yet. */
export function collectorFor(platform: Platform): AnyCollector {
  const c = COLLECTORS[platform];
  if (!c) throw new Error(`pipeline-audit ${platform} collector is not available in this version`);
  return c;
}
