/**
 * The enrichment stage: looks up what the rules an event triggers need (and, for EC2 instance events, the AMI
 * and the application, which every violation and lifecycle record carries), concurrently and de-duplicated
 * through the providers' caches. Either everything needed was answered, or it throws EnrichmentFailedError
 * listing the failed look-ups, so no verdict is ever built on a failure.
 */
import { accountIdOf, nonBlank, type CloudTrailEvent } from '../rules/event.js';
import { eventInstances, isTaupageAmi } from '../rules/instance-facts.js';
import { roleToCheck } from '../rules/modified-role-or-service.js';
import { applicationOf } from './application.js';
import { EnrichmentFailedError, LookupFailedError } from './errors.js';
import {
  NO_FACTS,
  type EnrichedEvent,
  type EventFacts,
  type Fact,
  type InstanceFacts,
  type RoleFacts,
} from './facts.js';
import type { Providers } from './providers.js';
import { factsWanted } from './plan.js';
import { parseTaupageYaml } from './taupage.js';

export { factsWanted, needsEnrichment, type EnrichmentPlan } from './plan.js';

interface Scope {
  providers: Providers;
  wanted: Set<Fact>;
  account: string;
  region: string;
}

/** Runs look-ups side by side and waits for all, so one failure does not hide the others. */
async function settle(calls: Array<Promise<unknown>>): Promise<void> {
  const failures = (await Promise.allSettled(calls)).flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
  if (failures.length === 0) return;
  const lookups = failures.flatMap((f: unknown) =>
    f instanceof EnrichmentFailedError ? [...f.failures] : f instanceof LookupFailedError ? [f] : [],
  );
  if (lookups.length < failures.length) throw failures.find((f) => !(f instanceof LookupFailedError)); // a bug
  throw new EnrichmentFailedError(lookups);
}

async function instanceFacts(scope: Scope, instanceId: string, item: Record<string, unknown>): Promise<InstanceFacts> {
  const { providers, wanted, account, region } = scope;
  const { ec2, kio, pierone, config } = providers;
  const facts: InstanceFacts = {};
  if (ec2 === undefined) return facts;
  const ref = { account, region, id: instanceId };
  let described: ReturnType<typeof ec2.instance> | undefined;
  const describe = () => (described ??= ec2.instance(ref));

  if (wanted.has('image') || wanted.has('taupage')) {
    facts.amiId = nonBlank(item['imageId']) ?? (await describe())?.imageId ?? null;
    facts.image = facts.amiId === null ? null : await ec2.image({ account, region, id: facts.amiId });
  }
  if (wanted.has('taupage') && config.taupage !== undefined)
    facts.taupage = isTaupageAmi(facts.image, config) === true ? parseTaupageYaml(await ec2.userData(ref)) : null;
  if (wanted.has('tags') && !facts.taupage?.application_id) facts.tags = (await describe())?.tags ?? null;
  const application = applicationOf(facts, providers.applicationTags);
  if (application !== undefined) facts.application = application;

  const applicationId = facts.taupage?.application_id;
  const source = facts.taupage?.source;
  await settle([
    wanted.has('kioApplication') && kio && applicationId
      ? kio.application(applicationId).then((app) => (facts.kioApplication = app))
      : Promise.resolve(),
    wanted.has('pieroneTag') && pierone && source && facts.taupage?.runtime === 'Docker'
      ? pierone.tag(source).then((tag) => (facts.pieroneTag = tag))
      : Promise.resolve(),
    wanted.has('scmSource') && pierone && source
      ? pierone.scmSource(source).then((scm) => (facts.scmSource = scm))
      : Promise.resolve(),
  ]);
  return facts;
}

async function roleFacts(scope: Scope, event: CloudTrailEvent): Promise<RoleFacts | null | undefined> {
  const { iam, templates, config } = scope.providers;
  const roleName = roleToCheck(event, config);
  if (iam === undefined || templates === undefined || roleName === undefined) return undefined;
  if (!(await templates.names()).has(roleName)) return undefined;
  const [policies, template] = await Promise.all([
    iam.rolePolicies({ account: scope.account, region: scope.region, roleName }),
    templates.template(roleName),
  ]);
  if (policies === null) return null;
  return template === null ? undefined : { roleName, ...policies, template };
}

export async function enrich(event: CloudTrailEvent, providers: Providers): Promise<EnrichedEvent> {
  const wanted = factsWanted(event, providers);
  const account = accountIdOf(event);
  if (wanted.size === 0 || account === undefined) return { event, facts: NO_FACTS };
  const scope: Scope = { providers, wanted, account, region: event.awsRegion };
  const facts: EventFacts = { instances: {} };
  const calls: Array<Promise<unknown>> = eventInstances(event, NO_FACTS).map(({ instanceId, item }) =>
    instanceFacts(scope, instanceId, item).then((instance) => (facts.instances[instanceId] = instance)),
  );
  if (wanted.has('role'))
    calls.push(
      roleFacts(scope, event).then((role) => {
        if (role !== undefined) facts.role = role;
      }),
    );
  await settle(calls);
  return { event, facts };
}
