import { afterEach, beforeEach, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { IAMClient, ListAttachedRolePoliciesCommand, ListRolePoliciesCommand } from '@aws-sdk/client-iam';
import { createProviders, type Providers } from '../../src/server/enrich/providers.js';
import { resolveRulesConfig } from '../../src/server/rules/config.js';

// The SDK's own mocks, to see exactly what each client was given: the AssumeRole input per account, and the
// credentials a look-up about an account resolves to. (EC2 look-ups go over the query protocol without the SDK's
// client; the AWS stand-in, which refuses other accounts' credentials, checks how they are signed: aws.test.ts.)
const sts = mockClient(STSClient);
const iam = mockClient(IAMClient);
let providers: Providers;

beforeEach(() => {
  sts.reset();
  iam.reset();
  sts.on(AssumeRoleCommand).callsFake((input: { RoleArn: string }) => {
    const account = /::(\d{12}):/.exec(input.RoleArn)![1]!;
    return {
      Credentials: {
        AccessKeyId: `ASIA-${account}`,
        SecretAccessKey: `secret-${account}`,
        SessionToken: `token-${account}`,
        Expiration: new Date(Date.now() + 3_600_000),
      },
    };
  });
  const accessKeyOf = async (getClient: () => { config: { credentials: () => Promise<{ accessKeyId: string }> } }) =>
    (await getClient().config.credentials()).accessKeyId;
  iam.on(ListAttachedRolePoliciesCommand).callsFake(async (_input, getClient) => ({
    AttachedPolicies: [{ PolicyName: await accessKeyOf(getClient as never) }],
  }));
  iam.on(ListRolePoliciesCommand).resolves({ PolicyNames: [] });
  const enrichment = { aws: { role_name: 'auditor', session_name: 'fs', external_id: 'xid', sts_region: 'eu-west-1' } };
  providers = createProviders(enrichment, resolveRulesConfig({}, enrichment));
});

afterEach(() => providers.close());

it('signs every look-up about an account with the credentials assumed in that account', async () => {
  const accounts = ['111111111111', '222222222222', '333333333333'];
  const policies = await Promise.all(
    accounts.map((account) => providers.iam!.rolePolicies({ account, region: 'us-east-1', roleName: 'r' })),
  );
  expect(policies.map((p) => p?.attachedPolicyNames)).toEqual(accounts.map((account) => [`ASIA-${account}`]));
  expect(sts.commandCalls(AssumeRoleCommand).map((call) => call.args[0].input)).toEqual(
    accounts.map((account) => ({
      RoleArn: `arn:aws:iam::${account}:role/auditor`,
      RoleSessionName: 'fs',
      ExternalId: 'xid',
    })),
  );
});
