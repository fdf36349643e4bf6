/**
 * What a rule needs beyond the event: an external system to look facts up in, or a setting without which its
 * verdict would be wrong for every event (no Taupage owners: every AMI would be "wrong"). A rule whose
 * requirements are not met is off, so it never fires falsely; `rulesOff` says which and why.
 */
import type { EnrichmentConfig } from '../enrich/config-schema.js';
import type { Fact } from '../enrich/facts.js';
import type { RulesConfig } from './config-schema.js';

export type Requirement =
  'aws' | 'taupage' | 'application_registry' | 'artifact_registries' | 'scm_hosts' | 'policy_templates';

export const REQUIREMENT_REASONS: Readonly<Record<Requirement, string>> = {
  aws: 'enrichment.aws is not configured: no AWS look-ups',
  taupage: 'rules.wrong_ami.owners is not set: Taupage AMIs cannot be told apart',
  application_registry: 'enrichment.application_registry is not configured',
  artifact_registries: 'enrichment.artifact_registries is not configured',
  scm_hosts: 'rules.scm_repository.hosts is not set',
  policy_templates: 'rules.modified_role_or_service.templates is not set',
};

/** The systems and settings each fact needs. */
export const FACT_REQUIREMENTS: Readonly<Record<Fact, readonly Requirement[]>> = {
  image: ['aws'],
  tags: ['aws'],
  taupage: ['aws', 'taupage'],
  kioApplication: ['aws', 'taupage', 'application_registry'],
  pieroneTag: ['aws', 'taupage', 'artifact_registries'],
  scmSource: ['aws', 'taupage', 'artifact_registries'],
  role: ['aws', 'policy_templates'],
};

/** The requirements the configuration meets. */
export function metRequirements(rules: RulesConfig = {}, enrichment: EnrichmentConfig = {}): Set<Requirement> {
  const met = new Set<Requirement>();
  if (enrichment.aws !== undefined) met.add('aws');
  if ((rules.wrong_ami?.owners ?? []).length > 0) met.add('taupage');
  if (enrichment.application_registry !== undefined) met.add('application_registry');
  if ((enrichment.artifact_registries ?? []).length > 0) met.add('artifact_registries');
  if (Object.keys(rules.scm_repository?.hosts ?? {}).length > 0) met.add('scm_hosts');
  if (rules.modified_role_or_service?.templates !== undefined) met.add('policy_templates');
  return met;
}

/** A rule's requirements: those of the facts it needs plus its own settings. */
export function requirementsOf(rule: { needs?: readonly Fact[]; requires?: readonly Requirement[] }): Requirement[] {
  const all = [...(rule.needs ?? []).flatMap((fact) => FACT_REQUIREMENTS[fact]), ...(rule.requires ?? [])];
  return [...new Set(all)];
}
