import type { ApplicationRef, InstanceFacts } from './facts.js';

/**
 * The application an instance runs: from its Taupage user data when that names one (as the original), else from
 * the configured instance tags. Both fields come from the same source, so they never mix two applications.
 */
export function applicationOf(
  facts: InstanceFacts,
  tagNames: { id?: string; version?: string } | undefined,
): ApplicationRef | undefined {
  const taupage = facts.taupage;
  if (taupage?.application_id) return { id: taupage.application_id, version: taupage.application_version };
  const tags = facts.tags;
  const id = tags && tagNames?.id ? tags[tagNames.id]?.trim() : undefined;
  if (!id) return undefined;
  const version = tagNames?.version ? tags?.[tagNames.version]?.trim() : undefined;
  return { id, version: version || null };
}
