// The JSON config file: explicit path, PIPELINE_AUDIT_CONFIG, or ./pipeline-audit.config.json when present.
// Secrets never live in it: a scope names the environment variable that holds each one (`tokenEnv`, ...). Each
// platform's section is that platform module's own schema.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { PLATFORM_MODULES } from '../collectors/registry.js';
import type { ConfigIssue } from '../errors.js';
import { PLATFORMS, type Platform } from '../normalize/schema.js';

const platformSections = Object.fromEntries(Object.entries(PLATFORM_MODULES).map(([p, m]) => [p, m.config.fileSchema.optional()])) as Record<Platform, z.ZodOptional<z.ZodType<unknown>>>;

export const ConfigFileSchema = z
  .object({
    platforms: z.array(z.enum(PLATFORMS)).optional(),
    ...platformSections,
    store: z
      .discriminatedUnion('kind', [
        z.object({ kind: z.literal('duckdb'), path: z.string().optional() }).strict(),
        z.object({ kind: z.literal('snowflake'), database: z.string().optional(), schema: z.string().optional(), spoolDir: z.string().nullable().optional() }).strict(),
      ])
      .optional(),
    // Teams, routing and detection settings: validated by the assessment's own schema (config/assessment.ts).
    teams: z.array(z.unknown()).optional(),
    defaultTeam: z.unknown().optional(),
    assessment: z.record(z.string(), z.unknown()).optional(),
    window: z.object({ initialLookbackHours: z.number().positive().optional(), cycleTimeoutMinutes: z.number().positive().optional() }).strict().optional(),
    limits: z.object({ maxPages: z.number().int().positive().optional(), maxDetailRequests: z.number().int().nonnegative().optional() }).strict().optional(),
    http: z
      .object({
        retries: z.number().int().nonnegative().optional(),
        requestTimeoutMs: z.number().int().positive().optional(),
        retryAfterCapMs: z.number().int().nonnegative().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type ConfigFile = z.infer<typeof ConfigFileSchema>;

/** Finds and reads the config file; problems are added to `issues`, and an empty file is returned. */
export function readConfigFile(o: { explicit: string | undefined; fromEnv: boolean; cwd: string }, issues: ConfigIssue[]): { path: string | null; file: ConfigFile } {
  const fallback = resolve(o.cwd, 'pipeline-audit.config.json');
  const path = o.explicit ? resolve(o.cwd, o.explicit) : existsSync(fallback) ? fallback : null;
  if (!path) return { path, file: {} };
  try {
    const parsed = ConfigFileSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    if (parsed.success) return { path, file: parsed.data };
    for (const i of parsed.error.issues) issues.push({ variable: `${path}: ${i.path.join('.') || '(root)'}`, message: i.message });
  } catch (e) {
    issues.push({ variable: o.fromEnv ? 'PIPELINE_AUDIT_CONFIG' : '--config', message: `cannot read ${path}: ${(e as Error).message}` });
  }
  return { path, file: {} };
}
