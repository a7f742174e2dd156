// Databricks configuration: DATABRICKS_HOST with DATABRICKS_TOKEN (the Databricks tools' name) or
// DATABRICKS_API_KEY (the user's), or DATABRICKS_CLIENT_ID/SECRET for OAuth M2M; several workspaces through the
// config file's `databricks.workspaces`.
import { z } from 'zod';
import { definedOnly, type ConfigSource, type PlatformConfigReader, type ScopeCandidate } from '../module.js';

const HOUR = 3_600_000;
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name');

const fileSchema = z
  .object({
    workspaces: z.array(
      z
        .object({
          host: z.string(),
          name: z.string().optional(),
          tokenEnv: envName.optional(),
          clientIdEnv: envName.optional(),
          clientSecretEnv: envName.optional(),
          longestRunHours: z.number().positive().optional(),
        })
        .strict(),
    ),
  })
  .strict();

export const databricksConfig: PlatformConfigReader<z.infer<typeof fileSchema>> = {
  fileSchema,
  hint: 'DATABRICKS_HOST with DATABRICKS_TOKEN / DATABRICKS_API_KEY or DATABRICKS_CLIENT_ID + DATABRICKS_CLIENT_SECRET',
  fromFile(section, src): ScopeCandidate[] {
    return section.workspaces.map((w, i) => {
      const tokenVar = w.tokenEnv ?? (w.clientIdEnv ? undefined : 'DATABRICKS_TOKEN');
      return {
        scope: definedOnly({
          host: w.host,
          name: w.name,
          token: src.secret(tokenVar),
          clientId: src.secret(w.clientIdEnv),
          clientSecret: src.secret(w.clientSecretEnv),
          longestRunMs: w.longestRunHours ? w.longestRunHours * HOUR : undefined,
        }),
        vars: { host: `databricks.workspaces[${i}].host`, token: tokenVar ?? `databricks.workspaces[${i}].tokenEnv`, clientId: w.clientIdEnv ?? '', clientSecret: w.clientSecretEnv ?? '' },
        source: `config file databricks.workspaces[${i}]`,
      };
    });
  },
  fromEnv(src: ConfigSource): ScopeCandidate[] {
    const host = src.get('DATABRICKS_HOST');
    const token = src.first('DATABRICKS_TOKEN', 'DATABRICKS_API_KEY');
    if (token) src.secret(token.name);
    const clientId = src.get('DATABRICKS_CLIENT_ID');
    const clientSecret = src.secret('DATABRICKS_CLIENT_SECRET');
    if (!host && !token && !clientId && !clientSecret) return [];
    return [
      {
        scope: definedOnly({ host: host && !/^https?:\/\//.test(host) ? `https://${host}` : host, token: token?.value, clientId, clientSecret }),
        vars: { host: 'DATABRICKS_HOST', token: 'DATABRICKS_TOKEN (or DATABRICKS_API_KEY)', clientId: 'DATABRICKS_CLIENT_ID', clientSecret: 'DATABRICKS_CLIENT_SECRET' },
        source: 'environment',
      },
    ];
  },
};
