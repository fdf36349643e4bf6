/**
 * Which facts an event needs, decided from the configuration alone: plain data and pure functions, so worker
 * threads use it to tell the events to look up (deferred to the enrichment stage) from those they evaluate at once.
 */
import { indexRules, type RuleIndex } from '../rules/index.js';
import type { ResolvedRulesConfig } from '../rules/config.js';
import { nonBlank, type CloudTrailEvent } from '../rules/event.js';
import { EC2_SOURCE } from '../rules/instance-facts.js';
import type { Fact } from './facts.js';

const INSTANCE_EVENTS = new Set(['RunInstances', 'StartInstances', 'StopInstances', 'TerminateInstances']);
const indexes = new WeakMap<ResolvedRulesConfig, RuleIndex>();

/**
 * What decides which facts an event needs: the rules configuration (which rules run, whether AWS look-ups are
 * configured) and the instance tags naming applications. Plain data: worker threads build it from the config to
 * tell the events to look up from those they can evaluate at once. `Providers` is one.
 */
export interface EnrichmentPlan {
  readonly config: ResolvedRulesConfig;
  readonly applicationTags: { id?: string; version?: string } | undefined;
}

function rulesFor(config: ResolvedRulesConfig): RuleIndex {
  let index = indexes.get(config);
  if (index === undefined) indexes.set(config, (index = indexRules(config)));
  return index;
}

const isInstanceEvent = (event: CloudTrailEvent) =>
  event.eventSource === EC2_SOURCE && INSTANCE_EVENTS.has(event.eventName) && nonBlank(event.errorCode) === undefined;

/** What the event's active rules need, plus the AMI and application of EC2 instance events when AWS is on. */
export function factsWanted(event: CloudTrailEvent, plan: EnrichmentPlan): Set<Fact> {
  const wanted = new Set<Fact>(rulesFor(plan.config)(event).flatMap((rule) => rule.needs ?? []));
  if (isInstanceEvent(event) && plan.config.met.has('aws')) {
    wanted.add('image');
    if (plan.config.taupage !== undefined) wanted.add('taupage');
    if (plan.applicationTags?.id !== undefined) wanted.add('tags');
  }
  return wanted;
}

/**
 * Whether `enrich()` would look anything up for the event (the others evaluate with no facts). Called for every
 * event ingested with enrichment on, so it allocates nothing.
 */
export function needsEnrichment(event: CloudTrailEvent, plan: EnrichmentPlan): boolean {
  for (const rule of rulesFor(plan.config)(event)) if (rule.needs !== undefined && rule.needs.length > 0) return true;
  return plan.config.met.has('aws') && isInstanceEvent(event);
}
