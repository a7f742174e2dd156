// Airbyte configuration: AIRBYTE_API_KEY (a static token) or AIRBYTE_CLIENT_ID/SECRET (an application; Cloud
// tokens expire in minutes and are refreshed); several instances through the config file's `airbyte.scopes`.
import { z } from 'zod';
import { definedOnly, type ConfigSource, type PlatformConfigReader, type ScopeCandidate } from '../module.js';
import { DEFAULT_CLOUD_API } from './scope.js';

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name');

const fileSchema = z
  .object({
    scopes: z.array(
      z
        .object({
          baseUrl: z.string().optional(),
          name: z.string().optional(),
          workspaceIds: z.array(z.string()).optional(),
          webUrl: z.string().optional(),
          configApiUrl: z.string().nullable().optional(),
          apiKeyEnv: envName.optional(),
          clientIdEnv: envName.optional(),
          clientSecretEnv: envName.optional(),
        })
        .strict(),
    ),
  })
  .strict();

export const airbyteConfig: PlatformConfigReader<z.infer<typeof fileSchema>> = {
  fileSchema,
  hint: 'AIRBYTE_API_KEY or AIRBYTE_CLIENT_ID + AIRBYTE_CLIENT_SECRET',
  fromFile(section, src): ScopeCandidate[] {
    return section.scopes.map((s, i) => {
      const keyVar = s.apiKeyEnv ?? (s.clientIdEnv ? undefined : 'AIRBYTE_API_KEY');
      return {
        scope: definedOnly({
          baseUrl: s.baseUrl ?? DEFAULT_CLOUD_API,
          name: s.name,
          workspaceIds: s.workspaceIds ?? [],
          webUrl: s.webUrl,
          configApiUrl: s.configApiUrl,
          apiKey: src.secret(keyVar),
          clientId: src.secret(s.clientIdEnv),
          clientSecret: src.secret(s.clientSecretEnv),
        }),
        vars: { baseUrl: `airbyte.scopes[${i}].baseUrl`, apiKey: keyVar ?? `airbyte.scopes[${i}].apiKeyEnv`, clientId: s.clientIdEnv ?? '', clientSecret: s.clientSecretEnv ?? '' },
        source: `config file airbyte.scopes[${i}]`,
      };
    });
  },
  fromEnv(src: ConfigSource): ScopeCandidate[] {
    const apiKey = src.secret('AIRBYTE_API_KEY');
    const clientId = src.get('AIRBYTE_CLIENT_ID');
    const clientSecret = src.secret('AIRBYTE_CLIENT_SECRET');
    if (!apiKey && !clientId && !clientSecret && !src.get('AIRBYTE_API_URL')) return [];
    return [
      {
        scope: definedOnly({
          baseUrl: src.get('AIRBYTE_API_URL') ?? DEFAULT_CLOUD_API,
          workspaceIds: (src.get('AIRBYTE_WORKSPACE_IDS') ?? '').split(',').map((s) => s.trim()).filter(Boolean),
          webUrl: src.get('AIRBYTE_WEB_URL'),
          configApiUrl: src.get('AIRBYTE_CONFIG_API_URL'),
          apiKey,
          clientId,
          clientSecret,
        }),
        vars: { baseUrl: 'AIRBYTE_API_URL', apiKey: 'AIRBYTE_API_KEY', clientId: 'AIRBYTE_CLIENT_ID', clientSecret: 'AIRBYTE_CLIENT_SECRET', workspaceIds: 'AIRBYTE_WORKSPACE_IDS', webUrl: 'AIRBYTE_WEB_URL', configApiUrl: 'AIRBYTE_CONFIG_API_URL' },
        source: 'environment',
      },
    ];
  },
};
