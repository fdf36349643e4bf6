/**
 * Stands in for Kio, the application registry: `GET /apps/{id}` answers the application or 404. With a token,
 * other bearers get 401. Operation name for faults and calls: `GET /apps`.
 */
import { json, startStandIn, type StandIn } from './stand-in.js';

export interface KioStandIn extends StandIn {
  /** Applications by id; `id` is filled in from the key. */
  apps: Map<string, Record<string, unknown>>;
}

export async function startKioStandIn(options: { token?: string } = {}): Promise<KioStandIn> {
  const apps = new Map<string, Record<string, unknown>>();
  const standIn = await startStandIn(
    (request) => {
      const url = new URL(request.url ?? '/', 'http://kio');
      const match = /^\/apps\/([^/]+)$/.exec(url.pathname);
      const authorization = request.headers.authorization ?? '';
      const id = match ? decodeURIComponent(match[1]!) : '';
      return {
        operation: match && request.method === 'GET' ? 'GET /apps' : `${request.method} ${url.pathname}`,
        detail: { id, authorization },
        answer: () => {
          if (options.token !== undefined && authorization !== `Bearer ${options.token}`)
            return json(401, { error: 'invalid_token' });
          const app = match ? apps.get(id) : undefined;
          return app ? json(200, { ...app, id }) : json(404, { message: 'Not Found' });
        },
      };
    },
    (fault) => json(fault.status ?? 500, { message: fault.message ?? 'stand-in fault' }),
  );
  return Object.assign(standIn, { apps });
}
