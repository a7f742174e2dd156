// What a platform is to the rest of the tool: one module (collectors/<platform>/index.ts) that exports everything
// about it. The registry lists the modules; configuration, the CLI, the demo, the library entry and the conformance
// tests iterate the registry, so adding a platform means adding its module, not editing a dozen files.
import type { z } from 'zod';
import type { Platform } from '../normalize/schema.js';
import type { AnyCollector } from './types.js';

/** Reads configuration values for a platform: the environment (empty = unset) and the secrets it names. */
export interface ConfigSource {
  /** A variable's trimmed value; undefined when unset or empty (GitHub passes a missing secret as ''). */
  get(name: string): string | undefined;
  /** The first of these variables that is set, with its name. */
  first(...names: string[]): { name: string; value: string } | undefined;
  /** Like `get`, and remembers the value as a secret to scrub from everything the tool writes. */
  secret(name: string | undefined): string | undefined;
}

/** One scope as configured, before the collector's schema validates it. */
export interface ScopeCandidate {
  scope: Record<string, unknown>;
  /** Scope field → the variable or file path that fed it, so an invalid field names what to fix. */
  vars: Record<string, string>;
  /** `environment` or `config file databricks.workspaces[1]`. */
  source: string;
}

export interface PlatformConfigReader<F> {
  /** The platform's section in the JSON config file (secrets never live there: it names variables). */
  fileSchema: z.ZodType<F>;
  fromFile(section: F, src: ConfigSource): ScopeCandidate[];
  fromEnv(src: ConfigSource): ScopeCandidate[];
  /** What to set to monitor this platform, for messages. */
  hint: string;
}

/** One row of the README's capability table: what the platform lets the tool see. */
export interface Capability {
  /** The vendor API or SQL read. */
  apiRead: string;
  /** How retries appear. */
  retries: string;
  /** Where error text comes from. */
  errorText: string;
  /** How long the vendor keeps run history. */
  historyKept: string;
}

export interface PlatformModule {
  readonly platform: Platform;
  readonly collector: AnyCollector;
  readonly config: PlatformConfigReader<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  readonly capability: Capability;
}

/** Drops undefined fields, so a zod `.optional()` sees them as absent under exactOptionalPropertyTypes. */
export function definedOnly(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
