import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { LookupFailedError } from '../../src/server/enrich/errors.js';
import { createProviders, type Providers } from '../../src/server/enrich/providers.js';
import type { EnrichmentConfig } from '../../src/server/enrich/config-schema.js';
import type { BreakerOptions } from '../../src/server/enrich/breakers.js';
import { resolveRulesConfig } from '../../src/server/rules/config.js';
import { manualClock, useAwsStandIn } from './aws-env.js';

const standIn = useAwsStandIn();
let open: Providers[] = [];
afterEach(async () => {
  await Promise.all(open.map((providers) => providers.close()));
  open = [];
});

function providers(
  options: { enrichment?: EnrichmentConfig; clock?: { now(): number }; breakers?: BreakerOptions } = {},
) {
  const enrichment = options.enrichment ?? { aws: {} };
  const created = createProviders(enrichment, resolveRulesConfig({}, enrichment), options);
  open.push(created);
  return created;
}

const ACCOUNT = '555555555555';
const ref = (id: string) => ({ account: ACCOUNT, region: 'eu-west-1', id });
const state = () => {
  const account = standIn().account(ACCOUNT);
  account.roles.set('fullstop', {});
  return account;
};

async function failure(promise: Promise<unknown>): Promise<LookupFailedError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LookupFailedError);
  return error as LookupFailedError;
}

describe('EC2 and IAM answers', () => {
  it('read the AMI, the instance and its user data', async () => {
    state().images.set('ami-a', { name: 'Taupage-AMI-20240101', ownerId: '999999999999' });
    state().instances.set('i-a', {
      imageId: 'ami-a',
      tags: { application: 'shop', version: '1.2' },
      userData: 'application_id: shop\n',
    });
    const { ec2 } = providers();
    expect(await ec2!.image(ref('ami-a'))).toEqual({
      id: 'ami-a',
      name: 'Taupage-AMI-20240101',
      ownerId: '999999999999',
    });
    expect(await ec2!.instance(ref('i-a'))).toEqual({
      imageId: 'ami-a',
      tags: { application: 'shop', version: '1.2' },
    });
    expect(await ec2!.userData(ref('i-a'))).toBe('application_id: shop\n');
  });

  it('decode gzipped user data', async () => {
    state().instances.set('i-gz', { userDataBase64: gzipSync('application_id: zipped\n').toString('base64') });
    expect(await providers().ec2!.userData(ref('i-gz'))).toBe('application_id: zipped\n');
  });

  it('answer null, and keep that answer, for an unknown AMI or instance, no user data and a deleted role', async () => {
    state().instances.set('i-bare', { imageId: 'ami-x' });
    const { ec2, iam } = providers();
    for (let round = 0; round < 2; round++) {
      expect(await ec2!.image(ref('ami-gone'))).toBeNull();
      expect(await ec2!.instance(ref('i-gone'))).toBeNull();
      expect(await ec2!.userData(ref('i-gone'))).toBeNull();
      expect(await ec2!.userData(ref('i-bare'))).toBeNull();
      expect(await iam!.rolePolicies({ account: ACCOUNT, region: 'us-east-1', roleName: 'gone' })).toBeNull();
    }
    expect(standIn().calls('DescribeImages')).toHaveLength(1);
    expect(standIn().calls('DescribeInstanceAttribute')).toHaveLength(2);
    expect(standIn().calls('ListAttachedRolePolicies')).toHaveLength(1);
  });

  it("read a role's attached and inline policies and URL-decode the one named after the role", async () => {
    const document =
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::a b+c/*"}]}';
    state().iamRoles.set('app-role', { attached: ['ReadOnlyAccess'], inline: { 'app-role': document, extra: '{}' } });
    state().iamRoles.set('bare-role', { attached: [], inline: { other: '{}' } });
    const { iam } = providers();
    expect(await iam!.rolePolicies({ account: ACCOUNT, region: 'us-east-1', roleName: 'app-role' })).toEqual({
      attachedPolicyNames: ['ReadOnlyAccess'],
      inlinePolicyNames: ['app-role', 'extra'],
      mainPolicy: document,
    });
    expect(await iam!.rolePolicies({ account: ACCOUNT, region: 'us-east-1', roleName: 'bare-role' })).toEqual({
      attachedPolicyNames: [],
      inlinePolicyNames: ['other'],
      mainPolicy: '{}',
    });
  });

  it('share concurrent identical look-ups and keep answers a minute after their last use', async () => {
    state().images.set('ami-c', { name: 'n', ownerId: '1' });
    const clock = manualClock();
    const { ec2 } = providers({ clock });
    const answers = await Promise.all(Array.from({ length: 20 }, () => ec2!.image(ref('ami-c'))));
    expect(new Set(answers.map((a) => a?.name))).toEqual(new Set(['n']));
    expect(standIn().calls('DescribeImages')).toHaveLength(1);
    clock.advance(59_000);
    await ec2!.image(ref('ami-c'));
    clock.advance(59_000);
    await ec2!.image(ref('ami-c'));
    expect(standIn().calls('DescribeImages')).toHaveLength(1);
    clock.advance(61_000);
    await ec2!.image(ref('ami-c'));
    expect(standIn().calls('DescribeImages')).toHaveLength(2);
  });
});

describe('EC2 and IAM failures', () => {
  it('retry a throttled call and answer', async () => {
    state().images.set('ami-t', { name: 'n', ownerId: '1' });
    standIn().fault('DescribeImages', { status: 503, code: 'RequestLimitExceeded', times: 1 });
    expect(await providers().ec2!.image(ref('ami-t'))).toMatchObject({ name: 'n' });
    expect(standIn().calls('DescribeImages')).toHaveLength(2);
  });

  it('fail retryable on lasting 5xx and throttling, and not on a malformed request; failures are not cached', async () => {
    state().images.set('ami-f', { name: 'n', ownerId: '1' });
    const { ec2 } = providers({ breakers: { volumeThreshold: 100 } });
    standIn().fault('DescribeImages', { status: 500, code: 'InternalError' });
    expect(await failure(ec2!.image(ref('ami-f')))).toMatchObject({
      system: `aws:${ACCOUNT}`,
      lookup: 'DescribeImages',
      key: `${ACCOUNT}/eu-west-1/ami-f`,
      retryable: true,
    });
    standIn().clearFaults();
    standIn().fault('DescribeImages', { status: 400, code: 'Throttling' });
    expect((await failure(ec2!.image(ref('ami-f')))).retryable).toBe(true);
    standIn().clearFaults();
    standIn().fault('DescribeImages', { status: 400, code: 'InvalidParameterValue' });
    expect((await failure(ec2!.image(ref('ami-f')))).retryable).toBe(false);
    standIn().clearFaults();
    expect(await ec2!.image(ref('ami-f'))).toMatchObject({ name: 'n' });
  });

  it('fail retryable when EC2 does not answer within the timeout', async () => {
    state().images.set('ami-slow', { name: 'n', ownerId: '1' });
    standIn().fault('DescribeImages', { delayMs: 5_000 });
    const started = Date.now();
    const error = await failure(
      providers({ enrichment: { aws: {}, timeout_seconds: 0.3 } }).ec2!.image(ref('ami-slow')),
    );
    expect(error.message).toContain('no answer within 300 ms');
    expect(error.retryable).toBe(true);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("open the account's circuit after repeated failures, fail fast while open, and close after a good trial", async () => {
    state().images.set('ami-b', { name: 'n', ownerId: '1' });
    standIn().account('666666666666').roles.set('fullstop', {});
    standIn().account('666666666666').images.set('ami-b', { name: 'other', ownerId: '1' });
    const { ec2, breakers } = providers({ breakers: { volumeThreshold: 3, resetTimeoutMs: 400 } });
    standIn().fault('DescribeImages', { status: 403, code: 'UnauthorizedOperation', times: 3 });
    for (let i = 0; i < 3; i++) await failure(ec2!.image(ref('ami-b')));
    expect(breakers.state(`aws:${ACCOUNT}`)).toBe('open');
    const fast = await failure(ec2!.image(ref('ami-b')));
    expect(fast.message).toContain('circuit open');
    expect(fast.retryable).toBe(true);
    expect(standIn().calls('DescribeImages')).toHaveLength(3);
    // Another account's circuit is its own.
    expect(await ec2!.image({ ...ref('ami-b'), account: '666666666666' })).toMatchObject({ name: 'other' });
    await new Promise((resolve) => setTimeout(resolve, 450));
    expect(breakers.state(`aws:${ACCOUNT}`)).toBe('half-open');
    expect(await ec2!.image(ref('ami-b'))).toMatchObject({ name: 'n' });
    expect(breakers.state(`aws:${ACCOUNT}`)).toBe('closed');
  });

  it('do not count definite answers and malformed requests against the circuit', async () => {
    const { ec2, breakers } = providers({ breakers: { volumeThreshold: 2 } });
    standIn().fault('DescribeInstances', { status: 400, code: 'InvalidParameterValue', times: 3 });
    for (let i = 0; i < 3; i++) await failure(ec2!.instance(ref(`i-bad-${i}`)));
    for (let i = 0; i < 3; i++) expect(await ec2!.image(ref(`ami-none-${i}`))).toBeNull();
    expect(breakers.state(`aws:${ACCOUNT}`)).toBe('closed');
  });
});
