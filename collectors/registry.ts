// Every platform pipeline-audit can read, in one place. Adding a platform: its module (collectors/<platform>/),
// its normalizer (normalize/<platform>.ts), one line here, its id in normalize/schema.ts, its simulator
// (sim/platforms/<platform>.ts) and a README row; tests/collectors/registry.test.ts keeps that true.
import type { Platform } from '../normalize/schema.js';
import type { PlatformModule } from './module.js';
import type { AnyCollector } from './types.js';
import { airbyte } from './airbyte/index.js';
import { databricks } from './databricks/index.js';
import { powerAutomate } from './powerautomate/index.js';
import { snowflakeTasks } from './snowflake-tasks/index.js';

export const PLATFORM_MODULES: Readonly<Record<Platform, PlatformModule>> = {
  airbyte,
  databricks,
  powerautomate: powerAutomate,
  snowflake: snowflakeTasks,
};

/** The collectors by platform (the modules' collectors). */
export const COLLECTORS: Readonly<Record<Platform, AnyCollector>> = Object.fromEntries(
  Object.entries(PLATFORM_MODULES).map(([p, m]) => [p, m.collector]),
) as Record<Platform, AnyCollector>;

/** The module of a platform. */
export function platformModule(platform: Platform): PlatformModule {
  return PLATFORM_MODULES[platform];
}

/** The collector of a platform. */
export function collectorFor(platform: Platform): AnyCollector {
  return PLATFORM_MODULES[platform].collector;
}
