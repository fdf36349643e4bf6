/**
 * Enrichment as `fullstop server` and `fullstop ingest` set it up from the config's `rules` and `enrichment`
 * sections: the stage (providers and rules). Loaded only when the config has an `enrichment` section: the AWS SDK
 * costs a run without look-ups nothing.
 */
import type { RulesConfig } from '../rules/config-schema.js';
import { resolveRulesConfig } from '../rules/config.js';
import type { EnrichmentConfig } from './config-schema.js';
import { configFingerprint } from './fingerprint.js';
import { createProviders, type ProviderOptions } from './providers.js';
import { EnrichmentStage } from './stage.js';

export interface EnrichmentSections {
  rules?: RulesConfig | undefined;
  enrichment?: EnrichmentConfig | undefined;
}

/**
 * The stage, or undefined when nothing can be looked up (no `enrichment.aws`: every fact starts with the
 * instance or role in AWS). Without a stage nothing is deferred and pending evaluations are not retried: a
 * process that cannot look facts up must not settle them without.
 */
export function createEnrichmentStage(
  sections: EnrichmentSections,
  options?: ProviderOptions,
): EnrichmentStage | undefined {
  const config = resolveRulesConfig(sections.rules, sections.enrichment);
  if (!config.met.has('aws')) return undefined;
  return new EnrichmentStage({
    providers: createProviders(sections.enrichment, config, options),
    configFingerprint: configFingerprint(sections.rules, sections.enrichment),
  });
}
