/**
 * Stands in for a Pier One registry: `GET /teams/{team}/artifacts/{artifact}/tags` (404 for an unknown artifact)
 * and `…/tags/{tag}/scm-source` (404 without one). With a token, other bearers get 401. Operation names for
 * faults and calls: `tags`, `scm-source`.
 */
import { json, startStandIn, type StandIn } from './stand-in.js';

export interface PieroneStandIn extends StandIn {
  /** Adds a tag of team/artifact, with its scm-source when given. */
  addTag(team: string, artifact: string, tag: string, scmSource?: Record<string, unknown>): void;
}

interface Artifact {
  tags: Map<string, { name: string; created: string; created_by: string }>;
  scmSources: Map<string, Record<string, unknown>>;
}

export async function startPieroneStandIn(options: { token?: string } = {}): Promise<PieroneStandIn> {
  const artifacts = new Map<string, Artifact>();
  const standIn = await startStandIn(
    (request) => {
      const url = new URL(request.url ?? '/', 'http://pierone');
      const parts = url.pathname.split('/').map(decodeURIComponent);
      // ['', 'teams', team, 'artifacts', artifact, 'tags', tag?, 'scm-source'?]
      const [, teams, team = '', artifactsPart, artifact = '', tags, tag = '', scm] = parts;
      const valid = teams === 'teams' && artifactsPart === 'artifacts' && tags === 'tags';
      const operation = !valid ? `GET ${url.pathname}` : scm === 'scm-source' ? 'scm-source' : 'tags';
      const authorization = request.headers.authorization ?? '';
      return {
        operation,
        detail: { team, artifact, tag, authorization },
        answer: () => {
          if (options.token !== undefined && authorization !== `Bearer ${options.token}`)
            return json(401, { error: 'invalid_token' });
          const found = valid ? artifacts.get(`${team}/${artifact}`) : undefined;
          if (found === undefined) return json(404, { message: 'Not Found' });
          if (operation === 'tags') return json(200, [...found.tags.values()]);
          const scmSource = found.scmSources.get(tag);
          return scmSource ? json(200, scmSource) : json(404, { message: 'Not Found' });
        },
      };
    },
    (fault) => json(fault.status ?? 500, { message: fault.message ?? 'stand-in fault' }),
  );
  return Object.assign(standIn, {
    addTag(team: string, artifact: string, tag: string, scmSource?: Record<string, unknown>) {
      const key = `${team}/${artifact}`;
      const entry = artifacts.get(key) ?? { tags: new Map(), scmSources: new Map() };
      artifacts.set(key, entry);
      entry.tags.set(tag, { name: tag, created: '2015-06-18T08:31:46.000Z', created_by: 'stand-in' });
      if (scmSource) entry.scmSources.set(tag, scmSource);
    },
  });
}
