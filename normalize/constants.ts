// The tool's constants that need no zod: the CLI's `--help` and `--version` load this and not the schema (zod is
// ~100 modules and a third of the startup). normalize/schema.ts re-exports them: one source of truth.

export const PLATFORMS = ['airbyte', 'databricks', 'powerautomate', 'snowflake'] as const;
export type Platform = (typeof PLATFORMS)[number];

/** The tool's version, in query tags, reports and the User-Agent. tests/collectors/registry.test.ts keeps it equal to package.json. */
export const TOOL_VERSION = '0.1.0';
