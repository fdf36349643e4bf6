import { describe, expect, it } from 'vitest';
import { evaluate, event } from '../../../test/ingest/rule-event.js';

const root = { type: 'Root', arn: 'arn:aws:iam::123456789012:root', accountId: '123456789012' };

describe('UNSECURED_ROOT_USER', () => {
  const login = (mfa: string, outcome = 'Success', userIdentity: Record<string, unknown> = root) =>
    event({
      eventSource: 'signin.amazonaws.com',
      eventName: 'ConsoleLogin',
      userIdentity,
      responseElements: { ConsoleLogin: outcome },
      additionalEventData: { MFAUsed: mfa },
    });

  it('reports a root console sign-in without MFA', () => {
    expect(evaluate(login('No'))).toEqual([
      expect.objectContaining({
        type: 'UNSECURED_ROOT_USER',
        instanceId: null,
        metaInfo: expect.objectContaining({ user: '<root_account>', is_mfa_active: 'false', event: 'ConsoleLogin' }),
      }),
    ]);
  });

  it('accepts root sign-in with MFA, failed sign-ins and IAM users', () => {
    expect(evaluate(login('Yes'))).toEqual([]);
    expect(evaluate(login('No', 'Failure'))).toEqual([]);
    expect(
      evaluate(login('No', 'Success', { type: 'IAMUser', userName: 'bob', accountId: '123456789012' })).map(
        (d) => d.type,
      ),
    ).toEqual(['PASSWORD_USED']);
  });

  it('reports a root access key, not a key root creates for a user', () => {
    const key = (requestParameters: Record<string, unknown> | null) =>
      event({
        eventSource: 'iam.amazonaws.com',
        eventName: 'CreateAccessKey',
        userIdentity: root,
        requestParameters,
        responseElements: { accessKey: { accessKeyId: 'AKIA1', status: 'Active' } },
      });
    expect(evaluate(key(null))).toEqual([
      expect.objectContaining({ type: 'UNSECURED_ROOT_USER', instanceId: 'AKIA1' }),
    ]);
    expect(evaluate(key({ userName: 'bob' }))).toEqual([]);
  });
});

describe('PASSWORD_USED', () => {
  it('reports an IAM user signing in to the console and a login profile being created', () => {
    const signIn = event({
      eventSource: 'signin.amazonaws.com',
      eventName: 'ConsoleLogin',
      responseElements: { ConsoleLogin: 'Success' },
      additionalEventData: { MFAUsed: 'Yes' },
    });
    expect(evaluate(signIn)).toEqual([
      expect.objectContaining({ type: 'PASSWORD_USED', metaInfo: { user_name: 'alice' } }),
    ]);
    const profile = event({
      eventSource: 'iam.amazonaws.com',
      eventName: 'CreateLoginProfile',
      requestParameters: { userName: 'bob' },
    });
    expect(evaluate(profile)).toEqual([
      expect.objectContaining({ type: 'PASSWORD_USED', metaInfo: { user_name: 'bob' } }),
    ]);
  });

  it('ignores federated sign-ins and failed calls', () => {
    const federated = event({
      eventSource: 'signin.amazonaws.com',
      eventName: 'ConsoleLogin',
      userIdentity: { type: 'AssumedRole', accountId: '123456789012' },
      responseElements: { ConsoleLogin: 'Success' },
    });
    expect(evaluate(federated)).toEqual([]);
    expect(
      evaluate(
        event({
          eventSource: 'iam.amazonaws.com',
          eventName: 'CreateLoginProfile',
          errorCode: 'AccessDenied',
          requestParameters: { userName: 'bob' },
        }),
      ),
    ).toEqual([]);
  });
});

describe('CROSS_ACCOUNT_ROLE', () => {
  const policy = (principal: unknown, effect = 'Allow') =>
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: effect, Principal: principal, Action: 'sts:AssumeRole' }],
    });
  const createRole = (document: string) =>
    event({
      eventSource: 'iam.amazonaws.com',
      eventName: 'CreateRole',
      requestParameters: { roleName: 'r', assumeRolePolicyDocument: document },
      responseElements: { role: { roleId: 'AROA1', arn: 'arn:aws:iam::123456789012:role/r' } },
    });

  it('reports a role trusting another account, by ARN, by bare id or by anyone', () => {
    expect(evaluate(createRole(policy({ AWS: 'arn:aws:iam::999988887777:root' })))).toEqual([
      expect.objectContaining({
        type: 'CROSS_ACCOUNT_ROLE',
        instanceId: 'AROA1',
        metaInfo: {
          role_arn: 'arn:aws:iam::123456789012:role/r',
          role_name: 'r',
          grantees: ['arn:aws:iam::999988887777:root'],
        },
      }),
    ]);
    expect(evaluate(createRole(policy({ AWS: ['123456789012', '999988887777'] })))[0]?.metaInfo).toMatchObject({
      grantees: ['999988887777'],
    });
    expect(evaluate(createRole(policy('*')))[0]?.metaInfo).toMatchObject({ grantees: ['*'] });
  });

  it('reports UpdateAssumeRolePolicy without response elements', () => {
    const update = event({
      eventSource: 'iam.amazonaws.com',
      eventName: 'UpdateAssumeRolePolicy',
      requestParameters: { roleName: 'r', policyDocument: policy({ AWS: 'arn:aws:iam::999988887777:role/x' }) },
      responseElements: null,
    });
    expect(evaluate(update)).toEqual([
      expect.objectContaining({
        instanceId: 'r',
        metaInfo: expect.objectContaining({ role_arn: 'arn:aws:iam::123456789012:role/r' }),
      }),
    ]);
  });

  it('accepts services, the own account, trusted accounts and Deny statements', () => {
    expect(evaluate(createRole(policy({ Service: 'ec2.amazonaws.com' })))).toEqual([]);
    expect(evaluate(createRole(policy({ AWS: 'arn:aws:iam::123456789012:root' })))).toEqual([]);
    expect(
      evaluate(createRole(policy({ AWS: '999988887777' })), {
        cross_account_role: { trusted_accounts: ['999988887777'] },
      }),
    ).toEqual([]);
    expect(evaluate(createRole(policy({ AWS: '999988887777' }, 'Deny')))).toEqual([]);
    expect(evaluate(createRole('not json'))).toEqual([]);
  });
});
