// The records of the malformed corpus (malformed-corpus.mjs): one good record, a well-typed template of every kind
// of record the rules read, the wrong values put into each of their fields, and which records fullstop must
// count as bad.
export const ACCOUNT = '123456789012';
export const MIB = 1024 * 1024;
export const STRING_BYTES = 50 * MIB;
export const DEEP = 100_000;

/** One good record: a StopLogging call, which default rules turn into exactly one CLOUDTRAIL_TAMPERING violation. */
export function goodRecord(eventID) {
  return {
    eventVersion: '1.08',
    userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::${ACCOUNT}:user/alice`, accountId: ACCOUNT, userName: 'alice' },
    eventTime: '2024-05-01T10:00:00Z',
    eventSource: 'cloudtrail.amazonaws.com',
    eventName: 'StopLogging',
    awsRegion: 'eu-west-1',
    requestParameters: { name: `arn:aws:cloudtrail:eu-west-1:${ACCOUNT}:trail/main` },
    responseElements: null,
    eventID,
    recipientAccountId: ACCOUNT,
  };
}

const identity = (type = 'IAMUser') => ({
  type,
  principalId: 'AIDAEXAMPLE',
  arn: type === 'Root' ? `arn:aws:iam::${ACCOUNT}:root` : `arn:aws:iam::${ACCOUNT}:user/bob`,
  accountId: ACCOUNT,
  userName: 'bob',
  sessionContext: { attributes: { mfaAuthenticated: 'false', creationDate: '2024-05-01T09:00:00Z' } },
});

const base = (eventSource, eventName, extra) => ({
  eventVersion: '1.08',
  userIdentity: identity(),
  eventTime: '2024-05-01T10:00:00Z',
  eventSource,
  eventName,
  awsRegion: 'us-east-1',
  sourceIPAddress: '192.0.2.1',
  userAgent: 'aws-cli/2',
  requestParameters: null,
  responseElements: null,
  recipientAccountId: ACCOUNT,
  ...extra,
});

/** A record of every kind the rules read, with every field they look at present and well typed. */
export const TEMPLATES = {
  RunInstances: base('ec2.amazonaws.com', 'RunInstances', {
    requestParameters: {
      instancesSet: { items: [{ imageId: 'ami-1', minCount: 1, maxCount: 1, keyName: 'key' }] },
      userData: '<sensitiveDataRemoved>',
      instanceType: 't3.micro',
    },
    responseElements: {
      instancesSet: { items: [{ instanceId: 'i-1', imageId: 'ami-1', keyName: 'key', instanceState: { code: 0 } }] },
      ownerId: ACCOUNT,
    },
  }),
  StartInstances: base('ec2.amazonaws.com', 'StartInstances', {
    requestParameters: { instancesSet: { items: [{ instanceId: 'i-1' }] } },
    responseElements: { instancesSet: { items: [{ instanceId: 'i-1' }] } },
  }),
  CreateFunction: base('lambda.amazonaws.com', 'CreateFunction20150331', {
    requestParameters: { functionName: 'f', code: { s3Bucket: 'bucket', s3Key: 'code.zip' }, runtime: 'nodejs20.x' },
    responseElements: { functionName: 'f', functionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:f` },
  }),
  UpdateFunctionCode: base('lambda.amazonaws.com', 'UpdateFunctionCode20150331v2', {
    requestParameters: { functionName: 'f', s3Bucket: 'bucket', s3Key: 'code.zip' },
    responseElements: { functionName: 'f' },
  }),
  ConsoleLoginRoot: base('signin.amazonaws.com', 'ConsoleLogin', {
    userIdentity: identity('Root'),
    responseElements: { ConsoleLogin: 'Success' },
    additionalEventData: { MFAUsed: 'No', LoginTo: 'https://console.aws.amazon.com' },
  }),
  ConsoleLoginUser: base('signin.amazonaws.com', 'ConsoleLogin', {
    responseElements: { ConsoleLogin: 'Success' },
    additionalEventData: { MFAUsed: 'No' },
  }),
  CreateAccessKey: base('iam.amazonaws.com', 'CreateAccessKey', {
    userIdentity: identity('Root'),
    requestParameters: {},
    responseElements: { accessKey: { accessKeyId: 'AKIAEXAMPLE', status: 'Active' } },
  }),
  CreateLoginProfile: base('iam.amazonaws.com', 'CreateLoginProfile', {
    requestParameters: { userName: 'carol', passwordResetRequired: true },
  }),
  CreateRole: base('iam.amazonaws.com', 'CreateRole', {
    requestParameters: {
      roleName: 'r',
      assumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::999999999999:root' }, Action: 'sts:AssumeRole' },
        ],
      }),
    },
    responseElements: { role: { roleId: 'AROA1', arn: `arn:aws:iam::${ACCOUNT}:role/r`, roleName: 'r' } },
  }),
  UpdateAssumeRolePolicy: base('iam.amazonaws.com', 'UpdateAssumeRolePolicy', {
    requestParameters: { roleName: 'r', policyDocument: '{"Statement":[{"Effect":"Allow","Principal":"*"}]}' },
  }),
  AuthorizeSecurityGroupIngress: base('ec2.amazonaws.com', 'AuthorizeSecurityGroupIngress', {
    requestParameters: {
      groupId: 'sg-1',
      groupName: 'web',
      ipPermissions: {
        items: [
          {
            ipProtocol: 'tcp',
            fromPort: 22,
            toPort: 22,
            ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] },
            ipv6Ranges: { items: [{ cidrIpv6: '::/0' }] },
          },
        ],
      },
      cidrIp: '0.0.0.0/0',
      ipProtocol: '-1',
      fromPort: 0,
      toPort: 65535,
    },
  }),
  CreateDBInstance: base('rds.amazonaws.com', 'CreateDBInstance', {
    requestParameters: { dBInstanceIdentifier: 'db1', publiclyAccessible: true },
    responseElements: { dBInstanceIdentifier: 'db1', publiclyAccessible: true, endpoint: { address: 'db1.example' } },
  }),
  UpdateTrail: base('cloudtrail.amazonaws.com', 'UpdateTrail', {
    requestParameters: {
      name: 'main',
      trailName: 'main',
      isMultiRegionTrail: false,
      includeGlobalServiceEvents: false,
    },
  }),
  PutEventSelectors: base('cloudtrail.amazonaws.com', 'PutEventSelectors', {
    requestParameters: {
      trailName: 'main',
      eventSelectors: [{ readWriteType: 'ReadOnly', includeManagementEvents: true }],
      advancedEventSelectors: [{ fieldSelectors: [{ field: 'eventCategory', equals: ['Data'] }] }],
    },
  }),
  DeleteTrail: base('cloudtrail.amazonaws.com', 'DeleteTrail', { requestParameters: { name: 'main' } }),
};

/** Values of the wrong type (or shape) for any field: numbers where strings belong, objects, lists, null… */
export const WRONG = [
  null,
  0,
  -1.5,
  1e308,
  12345678901234567890,
  true,
  false,
  '',
  '   ',
  'x',
  '123456789012',
  [],
  ['x', 1, null],
  {},
  { items: 5 },
  { items: [null, 1, 'x', []] },
  { toString: 'x', valueOf: 'y' },
  JSON.parse('{"__proto__": {"polluted": true}}'),
  'é\u0000\u202e😀',
  'x'.repeat(10_000),
];

/** Every field path of a template (objects and arrays, to any depth). */
export function paths(value, prefix = []) {
  if (value === null || typeof value !== 'object') return [];
  const out = [];
  for (const [key, child] of Object.entries(value)) {
    const path = [...prefix, Array.isArray(value) ? Number(key) : key];
    out.push(path, ...paths(child, path));
  }
  return out;
}

export function withValue(record, path, value) {
  const copy = structuredClone(record);
  let target = copy;
  for (const key of path.slice(0, -1)) target = target[key];
  target[path.at(-1)] = value;
  return copy;
}

/** Whether fullstop must count the record as bad: the fields every violation needs are missing or mistyped. */
export function isBad(record) {
  const text = (v) => typeof v === 'string';
  const nonBlank = (v) => text(v) && v.trim() !== '';
  if (record === null || typeof record !== 'object' || Array.isArray(record)) return true;
  if (![record.eventID, record.eventSource, record.eventName, record.awsRegion].every(text)) return true;
  const who = record.userIdentity;
  const callerAccount = who !== null && typeof who === 'object' ? who.accountId : undefined;
  return !nonBlank(record.recipientAccountId) && !nonBlank(callerAccount);
}

export const deepArray = (depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
export const deepObject = (depth) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
