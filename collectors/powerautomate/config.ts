// Power Automate configuration (through Dataverse): the user's POWER_AUTOMATE_* names beside Azure's own AZURE_*;
// several environments through the config file's `powerautomate.environments`.
import { z } from 'zod';
import { definedOnly, type ConfigSource, type PlatformConfigReader, type ScopeCandidate } from '../module.js';

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name');

const fileSchema = z
  .object({
    environments: z.array(
      z
        .object({
          environmentUrl: z.string(),
          apiUrl: z.string().optional(),
          environmentId: z.string().optional(),
          name: z.string().optional(),
          tenantIdEnv: envName.optional(),
          clientIdEnv: envName.optional(),
          clientSecretEnv: envName.optional(),
        })
        .strict(),
    ),
  })
  .strict();

const TENANT = ['POWER_AUTOMATE_TENANT_ID', 'AZURE_TENANT_ID'];
const CLIENT_ID = ['POWER_AUTOMATE_CLIENT_ID', 'AZURE_CLIENT_ID'];
const CLIENT_SECRET = ['POWER_AUTOMATE_CLIENT_SECRET', 'AZURE_CLIENT_SECRET'];

/** The named variable, or the first of the default names that is set. */
function pick(src: ConfigSource, named: string | undefined, defaults: string[]) {
  return named ? { name: named, value: src.get(named) } : src.first(...defaults);
}

function credentials(src: ConfigSource, t?: string, c?: string, s?: string) {
  const secret = pick(src, s, CLIENT_SECRET);
  if (secret?.value) src.secret(secret.name);
  return {
    fields: { tenantId: pick(src, t, TENANT)?.value, clientId: pick(src, c, CLIENT_ID)?.value, clientSecret: secret?.value, authorityHost: src.get('AZURE_AUTHORITY_HOST') },
    vars: {
      tenantId: t ?? 'POWER_AUTOMATE_TENANT_ID (or AZURE_TENANT_ID)',
      clientId: c ?? 'POWER_AUTOMATE_CLIENT_ID (or AZURE_CLIENT_ID)',
      clientSecret: s ?? 'POWER_AUTOMATE_CLIENT_SECRET (or AZURE_CLIENT_SECRET)',
    },
  };
}

export const powerAutomateConfig: PlatformConfigReader<z.infer<typeof fileSchema>> = {
  fileSchema,
  hint: 'DATAVERSE_URL with POWER_AUTOMATE_TENANT_ID/CLIENT_ID/CLIENT_SECRET (or AZURE_*)',
  fromFile(section, src): ScopeCandidate[] {
    return section.environments.map((e, i) => {
      const cred = credentials(src, e.tenantIdEnv, e.clientIdEnv, e.clientSecretEnv);
      return {
        scope: definedOnly({ environmentUrl: e.environmentUrl, apiUrl: e.apiUrl, environmentId: e.environmentId, name: e.name, ...cred.fields }),
        vars: { environmentUrl: `powerautomate.environments[${i}].environmentUrl`, ...cred.vars },
        source: `config file powerautomate.environments[${i}]`,
      };
    });
  },
  fromEnv(src: ConfigSource): ScopeCandidate[] {
    const url = src.first('DATAVERSE_URL', 'POWER_AUTOMATE_ENVIRONMENT_URL');
    const cred = credentials(src);
    if (!url && !src.get('POWER_AUTOMATE_CLIENT_ID') && !src.get('POWER_AUTOMATE_CLIENT_SECRET') && !cred.fields.clientSecret) return [];
    return [
      {
        scope: definedOnly({ environmentUrl: url?.value, apiUrl: src.get('DATAVERSE_API_URL'), environmentId: src.get('POWER_AUTOMATE_ENVIRONMENT_ID'), ...cred.fields }),
        vars: { environmentUrl: 'DATAVERSE_URL (or POWER_AUTOMATE_ENVIRONMENT_URL)', apiUrl: 'DATAVERSE_API_URL', environmentId: 'POWER_AUTOMATE_ENVIRONMENT_ID', ...cred.vars },
        source: 'environment',
      },
    ];
  },
};
