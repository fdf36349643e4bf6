/** The application registry (Kio): `GET {url}/apps/{id}`; 404 means the application is not registered. */
import { isPlainObject } from '../../shared/guards.js';
import { cachedLookup, type LookupContext } from './cached-lookup.js';
import type { KioApplication } from './facts.js';
import { httpRetryable, MalformedAnswerError, type JsonClient } from './http-json.js';

export interface KioLookups {
  application(applicationId: string): Promise<KioApplication | null>;
}

export function kioLookups(context: LookupContext, client: JsonClient, url: string): KioLookups {
  const base = url.replace(/\/+$/, '');
  const lookup = cachedLookup<string, KioApplication>(context, {
    lookup: 'GET /apps/{id}',
    system: () => 'kio',
    key: (id) => id,
    // The original's KioApplicationProviderImpl: 60 minutes after the last access.
    ttlMs: 60 * 60_000,
    updateAgeOnGet: true,
    async fetch(id, signal) {
      const body = await client.get(`${base}/apps/${encodeURIComponent(id)}`, 'Kio', signal);
      if (body === null) return null;
      if (!isPlainObject(body) || typeof body['id'] !== 'string')
        throw new MalformedAnswerError('Kio answered an application without id');
      return body as KioApplication;
    },
    retryable: httpRetryable,
  });
  return { application: (id) => lookup.get(id) };
}
