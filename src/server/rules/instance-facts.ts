/** Shared by the rules about EC2 instances: the instances of an event, their facts, and what a violation carries. */
import type { ViolationDraft } from '../model.js';
import type { AmiFacts, EventFacts, InstanceFacts } from '../enrich/facts.js';
import type { ResolvedRulesConfig } from './config.js';
import { itemsOf, nonBlank, type CloudTrailEvent } from './event.js';

export const EC2_SOURCE = 'ec2.amazonaws.com';

export interface EventInstance {
  instanceId: string;
  item: Record<string, unknown>;
  facts: InstanceFacts | undefined;
}

/** The items of `responseElements.instancesSet` that name an instance, with their facts. */
export function eventInstances(event: CloudTrailEvent, facts: EventFacts): EventInstance[] {
  return itemsOf(event.responseElements?.['instancesSet']).flatMap((item) => {
    const instanceId = nonBlank(item['instanceId']);
    return instanceId === undefined ? [] : [{ instanceId, item, facts: facts.instances[instanceId] }];
  });
}

/**
 * true or false when the AMI is known, undefined when it is not (or the Taupage owners are not configured): as
 * the original's `isTaupageAmi()`, the name must start with the prefix and the owner be one of the owners.
 */
export function isTaupageAmi(image: AmiFacts | null | undefined, config: ResolvedRulesConfig): boolean | undefined {
  if (image === undefined || image === null || config.taupage === undefined) return undefined;
  return image.name.startsWith(config.taupage.namePrefix) && config.taupage.owners.has(image.ownerId);
}

/** Every violation about an instance carries its application and version, when known. */
export function withInstanceFacts(drafts: ViolationDraft[], facts: EventFacts): ViolationDraft[] {
  return drafts.map((draft) => {
    const application = draft.instanceId ? facts.instances[draft.instanceId]?.application : undefined;
    if (application === undefined || (draft.applicationId ?? null) !== null) return draft;
    return { ...draft, applicationId: application.id, applicationVersion: application.version };
  });
}

/** The Docker image of a Taupage instance whose runtime is exactly `Docker`, as the original's registry checks. */
export function dockerSource(instance: InstanceFacts | undefined): string | undefined {
  const taupage = instance?.taupage;
  return taupage?.runtime === 'Docker' && taupage.source !== null ? taupage.source : undefined;
}
