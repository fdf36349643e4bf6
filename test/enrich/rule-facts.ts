/** Builds events and facts for the rule tests: the original's fixture records and hand-made facts about them. */
import { readFileSync } from 'node:fs';
import type { CloudTrailEvent } from '../../src/server/rules/event.js';
import type { RulesConfig } from '../../src/server/rules/config-schema.js';
import type { EnrichmentConfig } from '../../src/server/enrich/config-schema.js';
import type { AmiFacts, EventFacts, InstanceFacts, TaupageYaml } from '../../src/server/enrich/facts.js';
import { resolveRulesConfig } from '../../src/server/rules/config.js';
import { createEvaluator } from '../../src/server/rules/index.js';

/** The first record of `test/fixtures/cloudtrail/fullstop-fixtures/<name>.json`. */
export function fixtureEvent(name: string): CloudTrailEvent {
  const url = new URL(`../fixtures/cloudtrail/fullstop-fixtures/${name}.json`, import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { Records: CloudTrailEvent[] }).Records[0]!;
}

/** Owners, SCM hosts and templates set, so every enrichment rule can run. */
export const RULES: RulesConfig = {
  wrong_ami: { owners: ['999999999999'] },
  scm_repository: { hosts: { 'github.com': '^(?:zalando|zalando-stups)$', 'github.my.company.com': '^.+$' } },
  modified_role_or_service: { templates: 'test/fixtures/policy-templates' },
};
export const SYSTEMS: EnrichmentConfig = {
  aws: {},
  application_registry: { url: 'http://kio.example.org' },
  artifact_registries: [{ host: 'pierone.example.org', url: 'http://pierone.example.org' }],
};

export const TAUPAGE_AMI: AmiFacts = { id: 'ami-amishppl', name: 'Taupage-AMI-20150618', ownerId: '999999999999' };
export const SOURCE = 'pierone.example.org/stups/fullstop:1.0';
export const TAUPAGE: TaupageYaml = {
  application_id: 'fullstop',
  application_version: '1.0',
  runtime: 'Docker',
  source: SOURCE,
};

/** A Taupage instance running a Docker image found with a clean scm-source, registered in Kio: no violation. */
export function cleanInstance(overrides: Partial<InstanceFacts> = {}): InstanceFacts {
  return {
    amiId: TAUPAGE_AMI.id,
    image: TAUPAGE_AMI,
    taupage: TAUPAGE,
    application: { id: 'fullstop', version: '1.0' },
    kioApplication: { id: 'fullstop', scm_url: 'git@github.com:zalando-stups/fullstop.git' },
    pieroneTag: { name: '1.0' },
    scmSource: { url: 'https://github.com/zalando-stups/fullstop', revision: 'cafe', author: 'a', status: '' },
    ...overrides,
  };
}

export const factsFor = (instances: Record<string, InstanceFacts>): EventFacts => ({ instances });

export function evaluate(
  event: CloudTrailEvent,
  facts: EventFacts | undefined,
  rules: RulesConfig = RULES,
  enrichment: EnrichmentConfig = SYSTEMS,
) {
  return createEvaluator(resolveRulesConfig(rules, enrichment))(event, facts);
}

/** The drafts of one type. */
export const ofType = (drafts: ReturnType<typeof evaluate>, type: string) => drafts.filter((d) => d.type === type);
