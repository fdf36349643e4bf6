/**
 * The artifact registries (Pier One), chosen by the registry host in the Taupage `source`
 * (`registry/team/artifact:tag`). A source that does not parse or names an unknown registry has no tag and no
 * scm-source, as in the original (PieroneTagProviderImpl, ScmSourceProviderImpl): definite answers, no call.
 */
import { isPlainObject } from '../../shared/guards.js';
import { cachedLookup, type LookupContext } from './cached-lookup.js';
import type { PieroneTag, ScmSource } from './facts.js';
import { httpRetryable, MalformedAnswerError, type JsonClient } from './http-json.js';

export interface PieroneLookups {
  tag(source: string): Promise<PieroneTag | null>;
  scmSource(source: string): Promise<ScmSource | null>;
}

export interface DockerImage {
  registry: string;
  team: string;
  artifact: string;
  tag: string;
}

const DOCKER_SOURCE = /^(.*)\/(.+)\/(.+):(.+)$/;

export function parseDockerSource(source: string): DockerImage | undefined {
  const match = DOCKER_SOURCE.exec(source);
  return match ? { registry: match[1]!, team: match[2]!, artifact: match[3]!, tag: match[4]! } : undefined;
}

function scmSourceOf(body: unknown): ScmSource {
  if (!isPlainObject(body)) throw new MalformedAnswerError('Pier One answered an scm-source that is no object');
  const scmSource: ScmSource = {};
  for (const [key, value] of Object.entries(body)) {
    if (value === null || value === undefined) continue;
    scmSource[key] = typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
  return scmSource;
}

// The original's providers keep tags and scm-sources 5 minutes after the last access.
const TTL_MS = 5 * 60_000;

export function pieroneLookups(
  context: LookupContext,
  client: JsonClient,
  registries: ReadonlyArray<{ host: string; url: string }>,
): PieroneLookups {
  const urls = new Map(registries.map(({ host, url }) => [host.toLowerCase(), url.replace(/\/+$/, '')]));
  const located = (source: string) => {
    const image = parseDockerSource(source);
    const url = image && urls.get(image.registry.toLowerCase());
    return image && url
      ? { image, artifactUrl: `${url}/teams/${enc(image.team)}/artifacts/${enc(image.artifact)}` }
      : undefined;
  };
  const enc = encodeURIComponent;
  const common = {
    system: (source: string) => `pierone:${parseDockerSource(source)?.registry.toLowerCase() ?? ''}`,
    key: (source: string) => source,
    ttlMs: TTL_MS,
    updateAgeOnGet: true,
    retryable: httpRetryable,
  };
  const tags = cachedLookup<string, PieroneTag>(context, {
    ...common,
    lookup: 'GET /teams/{team}/artifacts/{artifact}/tags',
    async fetch(source, signal) {
      const { image, artifactUrl } = located(source)!;
      const body = await client.get(`${artifactUrl}/tags`, 'Pier One', signal);
      if (body === null) return null;
      if (!Array.isArray(body)) throw new MalformedAnswerError('Pier One answered tags that are no list');
      const tag = body.find((entry) => isPlainObject(entry) && entry['name'] === image.tag) as PieroneTag | undefined;
      return tag ?? null;
    },
  });
  const scmSources = cachedLookup<string, ScmSource>(context, {
    ...common,
    lookup: 'GET /teams/{team}/artifacts/{artifact}/tags/{tag}/scm-source',
    async fetch(source, signal) {
      const { image, artifactUrl } = located(source)!;
      const body = await client.get(`${artifactUrl}/tags/${enc(image.tag)}/scm-source`, 'Pier One', signal);
      return body === null ? null : scmSourceOf(body);
    },
  });
  return {
    tag: async (source) => (located(source) ? tags.get(source) : null),
    scmSource: async (source) => (located(source) ? scmSources.get(source) : null),
  };
}
