/**
 * What the enrichment stage looked up about an event, as plain JSON (it crosses worker threads and can be stored
 * with a pending evaluation). For every fact, `undefined` means "not looked up" (no active rule needed it) and
 * `null` means "looked up: it does not exist". Rules never read a verdict into an undefined fact.
 */
import type { CloudTrailEvent } from '../rules/event.js';

/** An AMI as DescribeImages returns it (the fields the rules read). */
export interface AmiFacts {
  id: string;
  name: string;
  ownerId: string;
}

/** The Taupage user data's fields the rules read, trimmed; blank or missing is null. */
export interface TaupageYaml {
  application_id: string | null;
  application_version: string | null;
  runtime: string | null;
  source: string | null;
}

/** A Kio application (`GET /apps/{id}`); only `id` and `scm_url` are read, the rest is kept as served. */
export interface KioApplication {
  id: string;
  scm_url?: string | null;
  [field: string]: unknown;
}

/** A Pier One tag of `GET /teams/{team}/artifacts/{artifact}/tags`. */
export interface PieroneTag {
  name: string;
  created?: string;
  created_by?: string;
  [field: string]: unknown;
}

/** Pier One's scm-source: `url`, `revision`, `author`, `status`, … as strings. */
export type ScmSource = Record<string, string>;

/** The application an instance runs: from the Taupage user data, else from the instance tags. */
export interface ApplicationRef {
  id: string | null;
  version: string | null;
}

export interface InstanceFacts {
  /** From the event's item, else DescribeInstances; null when neither knows it. */
  amiId?: string | null;
  image?: AmiFacts | null;
  /** Read only for Taupage AMIs (as the original): null for other AMIs and for missing or unparseable user data. */
  taupage?: TaupageYaml | null;
  tags?: Record<string, string> | null;
  application?: ApplicationRef;
  kioApplication?: KioApplication | null;
  pieroneTag?: PieroneTag | null;
  scmSource?: ScmSource | null;
}

/** The role an IAM event changed, as IAM shows it now, with the template it must match. */
export interface RoleFacts {
  roleName: string;
  attachedPolicyNames: string[];
  inlinePolicyNames: string[];
  /** The inline policy named after the role (URL-decoded JSON text), or `{}` when there is none. */
  mainPolicy: string;
  /** The policy template's JSON text. */
  template: string;
}

export interface EventFacts {
  /** Keyed by instance id, for the items of `responseElements.instancesSet`. */
  instances: Record<string, InstanceFacts>;
  /** null: the role no longer exists (deleted before the look-up). */
  role?: RoleFacts | null;
}

/** An event with what was looked up about it: what the rules evaluate. */
export interface EnrichedEvent {
  event: CloudTrailEvent;
  facts: EventFacts;
}

/** The look-ups a rule can need; the enrichment stage fetches the union for the rules an event triggers. */
export type Fact = 'image' | 'taupage' | 'tags' | 'kioApplication' | 'pieroneTag' | 'scmSource' | 'role';

export const NO_FACTS: EventFacts = Object.freeze({ instances: Object.freeze({}) }) as EventFacts;
