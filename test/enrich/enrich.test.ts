import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { enrich, needsEnrichment } from '../../src/server/enrich/enrich.js';
import { EnrichmentFailedError } from '../../src/server/enrich/errors.js';
import { NO_FACTS } from '../../src/server/enrich/facts.js';
import { lifecycleRecords } from '../../src/server/enrich/lifecycle.js';
import { createProviders, type Providers } from '../../src/server/enrich/providers.js';
import type { EnrichmentConfig } from '../../src/server/enrich/config-schema.js';
import { resolveRulesConfig } from '../../src/server/rules/config.js';
import type { RulesConfig } from '../../src/server/rules/config-schema.js';
import { createEvaluator } from '../../src/server/rules/index.js';
import type { CloudTrailEvent } from '../../src/server/rules/event.js';
import { startKioStandIn, type KioStandIn } from '../helpers/kio-stand-in.js';
import { startPieroneStandIn, type PieroneStandIn } from '../helpers/pierone-stand-in.js';
import { useAwsStandIn } from './aws-env.js';
import { fixtureEvent, RULES } from './rule-facts.js';

const aws = useAwsStandIn();
let kio: KioStandIn;
let pierone: PieroneStandIn;
let open: Providers[] = [];
const ACCOUNT = '123456789111';
const TEMPLATES = fileURLToPath(new URL('../fixtures/policy-templates', import.meta.url));
const rules: RulesConfig = { ...RULES, modified_role_or_service: { templates: TEMPLATES } };
const taupage = (source: string, extra = '') =>
  `#taupage-ami-config\napplication_id: fullstop\napplication_version: "1.0"\nruntime: Docker\nsource: ${source}\n${extra}`;

beforeAll(async () => {
  [kio, pierone] = await Promise.all([startKioStandIn(), startPieroneStandIn()]);
});
afterAll(() => Promise.all([kio.close(), pierone.close()]));
afterEach(async () => {
  await Promise.all(open.map((providers) => providers.close()));
  open = [];
  for (const standIn of [kio, pierone]) {
    standIn.clearFaults();
    standIn.clearCalls();
  }
});

function setUp(settings: Partial<EnrichmentConfig> = {}, rulesConfig = rules) {
  const enrichment: EnrichmentConfig = {
    aws: { application_tags: { id: 'application', version: 'version' } },
    application_registry: { url: kio.url },
    artifact_registries: [{ host: 'pierone.example.org', url: pierone.url }],
    ...settings,
  };
  const config = resolveRulesConfig(rulesConfig, enrichment);
  const providers = createProviders(enrichment, config, { breakers: { volumeThreshold: 1000 } });
  open.push(providers);
  const evaluate = createEvaluator(config);
  const state = aws().account(ACCOUNT);
  state.roles.set('fullstop', {});
  state.images.set('ami-amishppl', { name: 'Taupage-AMI-20150618', ownerId: '999999999999' });
  state.images.set('ami-ubuntu', { name: 'ubuntu-jammy', ownerId: '099720109477' });
  return { providers, evaluate, state };
}

const summary = (drafts: ReturnType<ReturnType<typeof createEvaluator>>) =>
  drafts.map((d) => [d.type, d.instanceId, d.applicationId, d.applicationVersion]);

describe('enrich', () => {
  it('looks up what the rules of a RunInstances need and the rules decide on it', async () => {
    const { providers, evaluate, state } = setUp();
    state.instances.set('i-affenbanane', { userData: taupage('pierone.example.org/stups/fullstop:1.0-SNAPSHOT') });
    pierone.addTag('stups', 'fullstop', '1.0-SNAPSHOT', {
      url: 'https://github.com/someone/fullstop',
      revision: 'cafe',
      author: 'alice',
      status: 'M README.md',
    });
    const event = fixtureEvent('scm-repository--run-instance-record');
    expect(needsEnrichment(event, providers)).toBe(true);
    const enriched = await enrich(event, providers);
    expect(summary(evaluate(event, enriched.facts))).toEqual([
      ['EC2_WITH_A_SNAPSHOT_IMAGE', 'i-affenbanane', 'fullstop', '1.0'],
      ['APPLICATION_NOT_PRESENT_IN_KIO', 'i-affenbanane', 'fullstop', '1.0'],
      ['ARTIFACT_BUILT_FROM_DIRTY_REPOSITORY', 'i-affenbanane', 'fullstop', '1.0'],
      ['ILLEGAL_SCM_REPOSITORY', 'i-affenbanane', 'fullstop', '1.0'],
    ]);
    // Plain JSON: the facts survive a worker thread or a pending-evaluation row unchanged.
    const stored = JSON.parse(JSON.stringify(enriched.facts)) as typeof enriched.facts;
    expect(evaluate(event, stored)).toEqual(evaluate(event, enriched.facts));
    expect(lifecycleRecords(enriched)).toEqual([
      expect.objectContaining({ eventType: 'RunInstances', instanceId: 'i-affenbanane', applicationVersion: '1.0' }),
    ]);
    expect(
      aws()
        .calls()
        .map((c) => c.operation),
    ).toEqual(['AssumeRole', 'DescribeImages', 'DescribeInstanceAttribute']);
    expect(kio.calls().map((c) => c.detail['id'])).toEqual(['fullstop']);
    expect(
      pierone
        .calls()
        .map((c) => c.operation)
        .sort(),
    ).toEqual(['scm-source', 'tags']);
  });

  it('finds the AMI of an item without one, and the application in the tags of a non-Taupage instance', async () => {
    const { providers, evaluate, state } = setUp();
    state.instances.set('i-affenbanane', { imageId: 'ami-ubuntu', tags: { application: 'shop', version: '7' } });
    const event = fixtureEvent('application-lifecycle--record-missing-ami');
    const enriched = await enrich(event, providers);
    expect(enriched.facts.instances['i-affenbanane']).toMatchObject({
      amiId: 'ami-ubuntu',
      taupage: null,
      application: { id: 'shop', version: '7' },
    });
    expect(summary(evaluate(event, enriched.facts))).toEqual([['WRONG_AMI', 'i-affenbanane', 'shop', '7']]);
    expect(aws().calls('DescribeInstances')).toHaveLength(1);
    expect(aws().calls('DescribeInstanceAttribute')).toEqual([]);
  });

  it('shares look-ups between the instances of an event and between concurrent events', async () => {
    const { providers, state } = setUp({ application_registry: undefined, artifact_registries: undefined });
    const event = fixtureEvent('save-securitygroups--run-instance-record'); // five instances of ami-amishppl
    for (const id of ['i-023d5bf6c26aa18d5', 'i-fdsafsd', 'i-fdsafsd12', 'i-fdsafs12d', 'i-fdsa33fsd'])
      state.instances.set(id, { userData: taupage('pierone.example.org/stups/fullstop:1.0') });
    await Promise.all(Array.from({ length: 10 }, () => enrich(event, providers)));
    expect(aws().calls('AssumeRole')).toHaveLength(1);
    expect(aws().calls('DescribeImages')).toHaveLength(1);
    expect(aws().calls('DescribeInstanceAttribute')).toHaveLength(5);
  });

  it('looks nothing up where no rule or record needs it', async () => {
    const { providers } = setUp();
    const lambda = fixtureEvent('lambda--record-create-wrong-s3bucket');
    expect(needsEnrichment(lambda, providers)).toBe(false);
    expect(await enrich(lambda, providers)).toEqual({ event: lambda, facts: NO_FACTS });
    const stop = fixtureEvent('application-lifecycle--record-stop');
    aws()
      .account(ACCOUNT)
      .instances.set('i-affenbanane', { userData: taupage('pierone.example.org/stups/x:1') });
    await enrich(stop, providers);
    expect(kio.calls()).toEqual([]);
    expect(pierone.calls()).toEqual([]);
    const off = setUp({ aws: undefined, application_registry: undefined, artifact_registries: undefined }).providers;
    const run = fixtureEvent('scm-repository--run-instance-record');
    expect(needsEnrichment(run, off)).toBe(false);
    aws().clearCalls();
    expect((await enrich(run, off)).facts).toBe(NO_FACTS);
    expect(aws().calls()).toEqual([]);
  });

  it('fails with every failed look-up, retryable when all are', async () => {
    const { providers, state } = setUp();
    state.instances.set('i-affenbanane', { userData: taupage('pierone.example.org/stups/fullstop:2.0') });
    kio.fault('GET /apps', { status: 503 });
    pierone.fault('tags', { status: 500 });
    const event = fixtureEvent('scm-repository--run-instance-record');
    const error = await enrich(event, providers).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EnrichmentFailedError);
    const failed = error as EnrichmentFailedError;
    expect(failed.retryable).toBe(true);
    expect(failed.failures.map((f) => [f.system, f.lookup, f.key, f.retryable]).sort()).toEqual([
      ['kio', 'GET /apps/{id}', 'fullstop', true],
      [
        'pierone:pierone.example.org',
        'GET /teams/{team}/artifacts/{artifact}/tags',
        'pierone.example.org/stups/fullstop:2.0',
        true,
      ],
    ]);
    kio.clearFaults();
    kio.fault('GET /apps', { status: 400 });
    expect(await enrich(event, providers).catch((e: EnrichmentFailedError) => e.retryable)).toBe(false);
  });

  it('fails retryable for an account whose role cannot be assumed', async () => {
    const { providers } = setUp();
    const event: CloudTrailEvent = {
      ...fixtureEvent('scm-repository--run-instance-record'),
      recipientAccountId: '210987654321',
    };
    const error = (await enrich(event, providers).catch((e: unknown) => e)) as EnrichmentFailedError;
    expect(error.failures.map((f) => [f.lookup, f.key])).toEqual([
      ['AssumeRole', 'arn:aws:iam::210987654321:role/fullstop'],
    ]);
    expect(error.retryable).toBe(true);
  });
});

describe('enrich for MODIFIED_ROLE_OR_SERVICE', () => {
  const ROLE = 'mint-worker-b17-AppServerRole-W5WX8WewafwO2MEWZ';
  const withAccount = (event: CloudTrailEvent): CloudTrailEvent => ({ ...event, recipientAccountId: ACCOUNT });

  it('reads the role and its template and reports the changes', async () => {
    const { providers, evaluate, state } = setUp();
    state.iamRoles.set(ROLE, {
      attached: ['PowerUserAccess'],
      inline: { [ROLE]: '{"Version":"2012-10-17","Statement":[]}' },
    });
    const event = withAccount(fixtureEvent('unapproved-services-and-role--record'));
    const enriched = await enrich(event, providers);
    expect(enriched.facts.role).toMatchObject({ roleName: ROLE, attachedPolicyNames: ['PowerUserAccess'] });
    const [draft] = evaluate(event, enriched.facts).filter((d) => d.type === 'MODIFIED_ROLE_OR_SERVICE');
    expect(draft?.metaInfo).toMatchObject({
      error_messages: [
        'You MUST not attach additional policies to this role!',
        'You MUST not change the main policy document! See diffs for details.',
      ],
    });
    expect(
      aws()
        .calls()
        .map((c) => c.detail['account']),
    ).toEqual(['caller', ACCOUNT, ACCOUNT, ACCOUNT]);
  });

  it('asks IAM nothing for admin callers and roles without a template', async () => {
    const { providers } = setUp();
    await enrich(withAccount(fixtureEvent('unapproved-services-and-role--admin-record')), providers);
    const other = withAccount(fixtureEvent('unapproved-services-and-role--record'));
    await enrich({ ...other, requestParameters: { ...other.requestParameters, roleName: 'no-template' } }, providers);
    expect(aws().calls()).toEqual([]);
  });
});
