import { afterEach, describe, expect, it, vi } from 'vitest';
import { LookupFailedError } from '../../src/server/enrich/errors.js';
import { createProviders, type Providers } from '../../src/server/enrich/providers.js';
import type { EnrichmentConfig } from '../../src/server/enrich/config-schema.js';
import { resolveRulesConfig } from '../../src/server/rules/config.js';
import { useAwsStandIn } from './aws-env.js';

const standIn = useAwsStandIn();
let open: Providers[] = [];
afterEach(async () => {
  await Promise.all(open.map((providers) => providers.close()));
  open = [];
});

function providers(enrichment: EnrichmentConfig = { aws: { sts_region: 'eu-central-1' } }, clock?: { now(): number }) {
  const created = createProviders(enrichment, resolveRulesConfig({}, enrichment), { clock });
  open.push(created);
  return created;
}

function account(id: string, roleName = 'fullstop', externalId?: string) {
  const state = standIn().account(id);
  state.roles.set(roleName, externalId === undefined ? {} : { externalId });
  return state;
}

const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.fail('expected a LookupFailedError'),
    (error: unknown) => {
      expect(error).toBeInstanceOf(LookupFailedError);
      return error as LookupFailedError;
    },
  );

describe('cross-account AWS look-ups', () => {
  it("assume the configured role in each account and sign each account's look-ups with its own credentials", async () => {
    account('111111111111', 'audit', 'ext-1').images.set('ami-1', { name: 'Taupage-one', ownerId: '999999999999' });
    account('222222222222', 'audit', 'ext-1').images.set('ami-1', { name: 'Taupage-two', ownerId: '888888888888' });
    const { ec2 } = providers({ aws: { role_name: 'audit', session_name: 'audit-session', external_id: 'ext-1' } });
    const [one, two] = await Promise.all([
      ec2!.image({ account: '111111111111', region: 'eu-west-1', id: 'ami-1' }),
      ec2!.image({ account: '222222222222', region: 'eu-central-1', id: 'ami-1' }),
    ]);
    expect(one).toEqual({ id: 'ami-1', name: 'Taupage-one', ownerId: '999999999999' });
    expect(two).toEqual({ id: 'ami-1', name: 'Taupage-two', ownerId: '888888888888' });
    const assumed = standIn()
      .calls('AssumeRole')
      .map((call) => call.detail);
    expect(assumed.map((d) => d['RoleArn']).sort()).toEqual([
      'arn:aws:iam::111111111111:role/audit',
      'arn:aws:iam::222222222222:role/audit',
    ]);
    for (const detail of assumed) {
      // Signed with the Fullstop account's own credentials, in the SDK's default region (no sts_region here).
      expect(detail).toMatchObject({
        RoleSessionName: 'audit-session',
        ExternalId: 'ext-1',
        account: 'caller',
        region: 'us-east-1',
      });
    }
    // The stand-in answers from the state of the account whose assumed credentials signed the call.
    const described = standIn()
      .calls('DescribeImages')
      .map((call) => [call.detail['account'], call.detail['region']]);
    expect(described.sort()).toEqual([
      ['111111111111', 'eu-west-1'],
      ['222222222222', 'eu-central-1'],
    ]);
  });

  it('defaults to the role and session name "fullstop" and calls STS in sts_region', async () => {
    account('111111111112').images.set('ami-1', { name: 'n', ownerId: '1' });
    await providers({ aws: { sts_region: 'eu-west-1' } }).ec2!.image({
      account: '111111111112',
      region: 'eu-central-1',
      id: 'ami-1',
    });
    expect(standIn().calls('AssumeRole')[0]!.detail).toMatchObject({
      RoleArn: 'arn:aws:iam::111111111112:role/fullstop',
      RoleSessionName: 'fullstop',
      region: 'eu-west-1',
    });
    expect(standIn().calls('AssumeRole')[0]!.detail['ExternalId']).toBeUndefined();
  });

  it('assume a role once for concurrent look-ups and again shortly before the credentials expire', async () => {
    const state = account('111111111113');
    for (const id of ['ami-1', 'ami-2', 'ami-3']) state.images.set(id, { name: id, ownerId: '1' });
    standIn().credentialSeconds = 301; // refreshed 5 minutes before expiry: after one second
    try {
      const { ec2 } = providers();
      const ref = { account: '111111111113', region: 'eu-west-1' };
      await Promise.all([ec2!.image({ ...ref, id: 'ami-1' }), ec2!.image({ ...ref, id: 'ami-2' })]);
      expect(standIn().calls('AssumeRole')).toHaveLength(1);
      await new Promise((resolve) => setTimeout(resolve, 1_300));
      await ec2!.image({ ...ref, id: 'ami-3' });
      expect(standIn().calls('AssumeRole')).toHaveLength(2);
      expect(
        standIn()
          .calls('DescribeImages')
          .every((call) => call.detail['account'] === '111111111113'),
      ).toBe(true);
    } finally {
      standIn().credentialSeconds = 3600;
    }
  });

  it("fail as a retryable LookupFailedError naming the role when STS denies it, and never fall back to the Fullstop account's credentials", async () => {
    standIn().account('333333333333').images.set('ami-1', { name: 'n', ownerId: '1' }); // no assumable role
    account('444444444444', 'fullstop', 'the-right-one');
    const { ec2 } = providers({ aws: { external_id: 'a-wrong-one' } });
    for (const id of ['333333333333', '444444444444']) {
      const error = await failureOf(ec2!.image({ account: id, region: 'eu-west-1', id: 'ami-1' }));
      expect(error).toMatchObject({
        system: `aws:${id}`,
        lookup: 'AssumeRole',
        key: `arn:aws:iam::${id}:role/fullstop`,
        retryable: true,
      });
      expect(error.message).toContain('AccessDenied');
    }
    expect(standIn().calls('DescribeImages')).toEqual([]);
  });

  it('reach each service at its own AWS_ENDPOINT_URL_<SERVICE> before AWS_ENDPOINT_URL', async () => {
    account('111111111114').images.set('ami-1', { name: 'n', ownerId: '1' });
    account('111111111114').iamRoles.set('r', { attached: [], inline: {} });
    vi.stubEnv('AWS_ENDPOINT_URL', 'http://127.0.0.1:9'); // nothing listens there
    vi.stubEnv('AWS_ENDPOINT_URL_STS', standIn().url);
    vi.stubEnv('AWS_ENDPOINT_URL_EC2', standIn().url);
    vi.stubEnv('AWS_ENDPOINT_URL_IAM', standIn().url);
    const { ec2, iam } = providers();
    expect(await ec2!.image({ account: '111111111114', region: 'eu-west-1', id: 'ami-1' })).toMatchObject({
      name: 'n',
    });
    expect(await iam!.rolePolicies({ account: '111111111114', region: 'us-east-1', roleName: 'r' })).toMatchObject({
      inlinePolicyNames: [],
    });
  });
});
