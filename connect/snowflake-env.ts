// The connection settings of a Snowflake account from the environment: one reader shared by the store's
// configuration (SNOWFLAKE_*) and the Tasks platform's (SNOWFLAKE_TASKS_*, each falling back to SNOWFLAKE_*).
import type { SnowflakeSettings } from './snowflake.js';

interface Source {
  get(name: string): string | undefined;
  secret(name: string | undefined): string | undefined;
}

/** Settings under `prefix` (e.g. `SNOWFLAKE_TASKS_`), each falling back to its `SNOWFLAKE_` name. */
export function snowflakeConnectionFromEnv(src: Source, prefix: string): Partial<SnowflakeSettings> {
  const plain = (n: string) => src.get(`${prefix}${n}`) ?? src.get(`SNOWFLAKE_${n}`);
  const secret = (n: string) => src.secret(src.get(`${prefix}${n}`) ? `${prefix}${n}` : `SNOWFLAKE_${n}`);
  const out: { [K in keyof SnowflakeSettings]?: SnowflakeSettings[K] | undefined } = {
    account: plain('ACCOUNT'),
    username: plain('USER'),
    password: secret('PASSWORD'),
    privateKey: secret('PRIVATE_KEY'),
    privateKeyPath: plain('PRIVATE_KEY_PATH'),
    privateKeyPassphrase: secret('PRIVATE_KEY_PASSPHRASE'),
    authenticator: plain('AUTHENTICATOR'),
    role: plain('ROLE'),
    warehouse: plain('WAREHOUSE'),
    accessUrl: plain('ACCESS_URL'),
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)) as Partial<SnowflakeSettings>;
}
