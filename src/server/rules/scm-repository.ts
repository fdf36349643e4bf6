/**
 * Git repository URLs as the original's ScmRepositoryPlugin reads them (fullstop-scm-repository-plugin,
 * Repositories.java): lower-cased, on one of the configured hosts, with an owner and a name; `.git`, a port and
 * a trailing path are ignored. Two URLs name the same repository when host, owner and name are equal.
 */
import type { InstanceFacts, ScmSource } from '../enrich/facts.js';
import type { ResolvedRulesConfig } from './config.js';
import { nonBlank } from './event.js';

export interface Repository {
  host: string;
  owner: string;
  name: string;
}

const patterns = new WeakMap<ResolvedRulesConfig['scmHosts'], RegExp>();

function patternFor(hosts: ResolvedRulesConfig['scmHosts']): RegExp {
  let pattern = patterns.get(hosts);
  if (pattern === undefined) {
    const alternatives = [...hosts.keys()].map((host) => host.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
    pattern = new RegExp(
      `^(?:git:)?(?:git@|https?://)?(?<host>${alternatives})(?::\\d+)?(?::|/)(?<owner>.+?)/(?<name>.+?)(?:\\.git)?(?:/.*)?$`,
    );
    patterns.set(hosts, pattern);
  }
  return pattern;
}

export function parseRepository(url: string, hosts: ResolvedRulesConfig['scmHosts']): Repository | undefined {
  const groups = patternFor(hosts).exec(url.toLowerCase())?.groups;
  return groups ? { host: groups['host']!, owner: groups['owner']!, name: groups['name']! } : undefined;
}

export const normalizedUrl = (repository: Repository) =>
  `https://${repository.host}/${repository.owner}/${repository.name}`;

export const sameRepository = (a: Repository, b: Repository) =>
  a.host === b.host && a.owner === b.owner && a.name === b.name;

export const unknownUrlMessage = (url: string) => `'${url}' does not look like a valid git repository`;

/** The scm-source URL of an instance's artifact, when there is one: what the repository checks start from. */
export function scmSourceUrl(instance: InstanceFacts | undefined): { scmSource: ScmSource; url: string } | undefined {
  const scmSource = instance?.scmSource;
  const url = scmSource ? nonBlank(scmSource['url']) : undefined;
  return scmSource && url !== undefined ? { scmSource, url } : undefined;
}

/** `application_id` and `deployment_artifact` as the repository checks report them ("" when unknown). */
export function artifactMeta(instance: InstanceFacts | undefined) {
  return {
    application_id: instance?.taupage?.application_id ?? '',
    deployment_artifact: instance?.taupage?.source ?? '',
  };
}
