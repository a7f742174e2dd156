// An Airbyte scope: one API base (Cloud or self-managed) with its credentials and, optionally, its workspaces.
import { z } from 'zod';

export const DEFAULT_CLOUD_API = 'https://api.airbyte.com/v1';
const CLOUD_WEB = 'https://cloud.airbyte.com';

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalText = z.preprocess(blankToUndefined, z.string().optional());
const httpUrl = (example: string) =>
  z
    .string()
    .trim()
    .refine((h) => {
      try {
        return ['http:', 'https:'].includes(new URL(h).protocol);
      } catch {
        return false;
      }
    }, `must be a URL, e.g. ${example}`);

export interface AirbyteScope {
  baseUrl: string;
  apiKey?: string | undefined;
  clientId?: string | undefined;
  clientSecret?: string | undefined;
  workspaceIds: string[];
  webUrl?: string | undefined;
  configApiUrl?: string | null | undefined;
  name?: string | undefined;
}

export const airbyteScopeSchema = z
  .object({
    /** Public API base: Cloud https://api.airbyte.com/v1, self-managed <host>/api/public/v1. */
    baseUrl: z.preprocess(blankToUndefined, httpUrl('https://api.airbyte.com/v1 or http://airbyte.internal:8000/api/public/v1').default(DEFAULT_CLOUD_API)),
    /** A static bearer token. */
    apiKey: optionalText,
    /** An Application's client credentials (User settings → Applications). */
    clientId: optionalText,
    clientSecret: optionalText,
    /** Workspaces to read; empty means every workspace the credentials see. */
    workspaceIds: z.array(z.string().trim().min(1)).default([]),
    /** UI base for deep links; default https://cloud.airbyte.com for Cloud, else the API's origin. */
    webUrl: z.preprocess(blankToUndefined, httpUrl('https://airbyte.example.com').optional()),
    /** Config API base (e.g. http://host:8000/api) for failure reasons; absent: not tried. */
    configApiUrl: z.preprocess(blankToUndefined, httpUrl('http://airbyte.internal:8000/api').nullish()),
    name: optionalText,
  })
  .superRefine((s, ctx) => {
    const app = s.clientId !== undefined || s.clientSecret !== undefined;
    if (s.apiKey !== undefined && app) {
      ctx.addIssue({ code: 'custom', path: ['apiKey'], message: 'give either an API key or clientId and clientSecret (an application), not both' });
    } else if (s.apiKey === undefined && !app) {
      ctx.addIssue({ code: 'custom', path: ['apiKey'], message: 'an auth method is required: an API key or clientId and clientSecret (an application)' });
    } else if (app && (s.clientId === undefined || s.clientSecret === undefined)) {
      ctx.addIssue({ code: 'custom', path: [s.clientId === undefined ? 'clientId' : 'clientSecret'], message: 'an application needs both clientId and clientSecret' });
    }
  });

export const baseUrlOf = (scope: AirbyteScope) => scope.baseUrl.trim().replace(/\/+$/, '');
export const secretsOf = (scope: AirbyteScope) => [scope.apiKey, scope.clientSecret].filter((s): s is string => !!s);

/** The UI base: given, or cloud.airbyte.com for the Cloud API, or the API's own origin (self-managed). */
export function airbyteWebUrl(scope: AirbyteScope): string {
  if (scope.webUrl) return scope.webUrl.replace(/\/+$/, '');
  const u = new URL(baseUrlOf(scope));
  return u.hostname === 'api.airbyte.com' ? CLOUD_WEB : u.origin;
}

/** Host and path of the API, plus the sorted workspace list when one is given (two lists on one host stay apart). */
export function airbyteScopeId(scope: AirbyteScope): string {
  const u = new URL(baseUrlOf(scope));
  const ws = [...scope.workspaceIds].sort();
  return `${u.host}${u.pathname.replace(/\/+$/, '')}${ws.length ? `#${ws.join(',')}` : ''}`;
}
