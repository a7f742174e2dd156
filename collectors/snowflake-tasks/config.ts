// Snowflake Tasks configuration. The monitored account is configured apart from the audit store (tasks often run
// in production accounts while the audit schema lives elsewhere): SNOWFLAKE_TASKS_* fall back to SNOWFLAKE_*;
// several accounts through the config file's `snowflake.accounts`.
import { z } from 'zod';
import { snowflakeConnectionFromEnv } from '../../connect/snowflake-env.js';
import { splitIdentifierList } from './identifiers.js';
import { definedOnly, type ConfigSource, type PlatformConfigReader, type ScopeCandidate } from '../module.js';

const HOUR = 3_600_000;
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name');

const fileSchema = z
  .object({
    accounts: z.array(
      z
        .object({
          account: z.string(),
          user: z.string(),
          /** `"ETL"`, `"ETL.PUBLIC"` or `{ "name": "MARTS", "schemas": ["CORE"] }`; validated by the collector's schema. */
          databases: z.array(z.union([z.string(), z.object({ name: z.string(), schemas: z.array(z.string()).min(1).optional() }).strict()])).min(1),
          role: z.string().optional(),
          warehouse: z.string().optional(),
          accessUrl: z.string().optional(),
          authenticator: z.string().optional(),
          useAccountUsage: z.boolean().optional(),
          longestRunHours: z.number().positive().optional(),
          passwordEnv: envName.optional(),
          privateKeyEnv: envName.optional(),
          privateKeyPathEnv: envName.optional(),
          privateKeyPassphraseEnv: envName.optional(),
        })
        .strict(),
    ),
  })
  .strict();

export const snowflakeTasksConfig: PlatformConfigReader<z.infer<typeof fileSchema>> = {
  fileSchema,
  hint: 'SNOWFLAKE_TASKS_DATABASES with a Snowflake connection',
  fromFile(section, src): ScopeCandidate[] {
    return section.accounts.map((a, i) => ({
      scope: definedOnly({
        connection: definedOnly({
          account: a.account,
          username: a.user,
          role: a.role,
          warehouse: a.warehouse,
          accessUrl: a.accessUrl,
          authenticator: a.authenticator,
          password: src.secret(a.passwordEnv),
          privateKey: src.secret(a.privateKeyEnv),
          privateKeyPath: a.privateKeyPathEnv ? src.get(a.privateKeyPathEnv) : undefined,
          privateKeyPassphrase: src.secret(a.privateKeyPassphraseEnv),
        }),
        databases: a.databases,
        useAccountUsage: a.useAccountUsage,
        longestRunMs: a.longestRunHours ? a.longestRunHours * HOUR : undefined,
      }),
      vars: { connection: `snowflake.accounts[${i}]`, databases: `snowflake.accounts[${i}].databases` },
      source: `config file snowflake.accounts[${i}]`,
    }));
  },
  fromEnv(src: ConfigSource): ScopeCandidate[] {
    const dbs = src.get('SNOWFLAKE_TASKS_DATABASES');
    if (!dbs) return [];
    return [
      {
        scope: definedOnly({
          connection: snowflakeConnectionFromEnv(src, 'SNOWFLAKE_TASKS_'),
          databases: splitIdentifierList(dbs), // `ETL.PUBLIC,ETL.STAGING,MARTS`; commas inside "quotes" stay
          useAccountUsage: src.get('SNOWFLAKE_TASKS_USE_ACCOUNT_USAGE') === 'true' ? true : undefined,
        }),
        vars: { connection: 'SNOWFLAKE_TASKS_ACCOUNT/USER/PRIVATE_KEY… (or the SNOWFLAKE_* store variables)', databases: 'SNOWFLAKE_TASKS_DATABASES' },
        source: 'environment',
      },
    ];
  },
};
