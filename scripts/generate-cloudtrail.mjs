#!/usr/bin/env node
// Writes realistic, deterministic CloudTrail delivery files (gzipped, AWSLogs layout) for the demo, tests and
// benchmarks, plus `.manifest.json` (hidden, so ingesting the folder skips it) with the violations fullstop's default rules must find in them.
//
//   node scripts/generate-cloudtrail.mjs --out DIR [--records 20000] [--accounts 3] [--regions a,b,c]
//        [--violations 0.02] [--run-instances 0] [--per-file 150] [--seed 1] [--start 2024-05-01T00:00:00Z]
//
// The benign mix follows a real account's (mostly Describe*/Get*/List*, KMS and SSM reads, a few writes);
// a share of events (--violations) is drawn from the violating kinds below, and a share (--run-instances, for
// the enrichment benchmark) is instances launched in allowed regions. Launched instances run the AMIs of
// scripts/demo-world.mjs (Taupage, approved, unapproved) and their Taupage user data names its applications; the
// demo stand-ins answer for every one of them (the choice follows from the instance id).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseArgs } from 'node:util';
import { imageOf } from './demo-world.mjs';

const { values: args } = parseArgs({
  options: {
    out: { type: 'string' },
    records: { type: 'string', default: '20000' },
    accounts: { type: 'string', default: '3' },
    regions: { type: 'string', default: 'eu-central-1,eu-west-1,us-east-1' },
    violations: { type: 'string', default: '0.02' },
    'run-instances': { type: 'string', default: '0' },
    'per-file': { type: 'string', default: '150' },
    seed: { type: 'string', default: '1' },
    start: { type: 'string', default: '2024-05-01T00:00:00Z' },
    quiet: { type: 'boolean', default: false },
  },
});

function fail(message) {
  process.stderr.write(`generate-cloudtrail: ${message}\n`);
  process.exit(2);
}
if (!args.out) fail('--out DIR is required');
const total = Number(args.records);
const accountCount = Number(args.accounts);
const share = Number(args.violations);
const launches = Number(args['run-instances']);
const perFile = Number(args['per-file']);
const regions = args.regions
  .split(',')
  .map((r) => r.trim())
  .filter(Boolean);
const start = Date.parse(args.start);
if (!Number.isInteger(total) || total < 1) fail('--records must be a positive integer');
if (!Number.isInteger(accountCount) || accountCount < 1 || accountCount > 99) fail('--accounts must be 1-99');
if (!(share >= 0 && share <= 1)) fail('--violations must be a share from 0 to 1');
if (!(launches >= 0 && launches <= 1 - share)) fail('--run-instances must be a share from 0 to 1 - --violations');
if (!Number.isInteger(perFile) || perFile < 1) fail('--per-file must be a positive integer');
if (regions.length === 0) fail('--regions needs at least one region');
if (Number.isNaN(start)) fail('--start must be an ISO date-time');

// mulberry32: small, fast and deterministic for a given seed.
let state = Number(args.seed) >>> 0;
function random() {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (list) => list[Math.floor(random() * list.length)];
const hex = (n) => Array.from({ length: n }, () => Math.floor(random() * 16).toString(16)).join('');
const uuid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-${pick(['8', '9', 'a', 'b'])}${hex(3)}-${hex(12)}`;
const alnum = (n) =>
  Array.from({ length: n }, () => pick('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789')).join('');

const accounts = Array.from({ length: accountCount }, (_, i) => String(111111111111 + i * 101010101).padStart(12, '0'));
const users = ['alice', 'bob', 'carol', 'deploy-bot', 'terraform'];
const ALLOWED = new Set(['eu-central-1', 'eu-west-1']);

function identity(account) {
  if (random() < 0.6) {
    const role = pick(['Shibboleth-PowerUser', 'Deployer', 'ReadOnly']);
    const session = pick(users);
    return {
      type: 'AssumedRole',
      principalId: `AROA${alnum(17).toUpperCase()}:${session}`,
      arn: `arn:aws:sts::${account}:assumed-role/${role}/${session}`,
      accountId: account,
      accessKeyId: `ASIA${alnum(16).toUpperCase()}`,
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          principalId: `AROA${alnum(17).toUpperCase()}`,
          arn: `arn:aws:iam::${account}:role/${role}`,
          accountId: account,
          userName: role,
        },
        attributes: { creationDate: '2024-05-01T07:00:00Z', mfaAuthenticated: 'false' },
      },
    };
  }
  const user = pick(users);
  return {
    type: 'IAMUser',
    principalId: `AIDA${alnum(17).toUpperCase()}`,
    arn: `arn:aws:iam::${account}:user/${user}`,
    accountId: account,
    accessKeyId: `AKIA${alnum(16).toUpperCase()}`,
    userName: user,
  };
}

function instance(extra = {}) {
  const instanceId = `i-${hex(17)}`;
  return {
    instancesSet: {
      items: [
        {
          instanceId,
          imageId: imageOf(instanceId),
          instanceState: { code: 0, name: 'pending' },
          instanceType: 't3.micro',
          privateIpAddress: '10.0.1.10',
          groupSet: { items: [{ groupId: `sg-${hex(17)}` }] },
          ...extra,
        },
      ],
    },
  };
}

// [eventSource, eventName, weight, (ctx) => ({ requestParameters, responseElements, region?, userIdentity?, additionalEventData? })]
const BENIGN = [
  ['kms.amazonaws.com', 'Decrypt', 18, () => ({ requestParameters: { encryptionAlgorithm: 'SYMMETRIC_DEFAULT' } })],
  ['ec2.amazonaws.com', 'DescribeInstances', 12, () => ({ requestParameters: { instancesSet: {}, filterSet: {} } })],
  [
    'ec2.amazonaws.com',
    'DescribeRouteTables',
    8,
    () => ({ requestParameters: { routeTableIdSet: {}, filterSet: {} } }),
  ],
  ['iam.amazonaws.com', 'GetUser', 7, () => ({ requestParameters: { userName: pick(users) } })],
  [
    'ssm.amazonaws.com',
    'GetParameter',
    8,
    () => ({ requestParameters: { name: `/app/${pick(users)}/config`, withDecryption: true } }),
  ],
  ['ssm.amazonaws.com', 'DescribeParameters', 5, () => ({ requestParameters: { maxResults: 50 } })],
  [
    'secretsmanager.amazonaws.com',
    'GetSecretValue',
    5,
    () => ({ requestParameters: { secretId: `prod/${pick(users)}` } }),
  ],
  [
    'sts.amazonaws.com',
    'AssumeRole',
    5,
    (c) => ({
      requestParameters: { roleArn: `arn:aws:iam::${c.account}:role/Deployer`, roleSessionName: pick(users) },
      responseElements: {
        credentials: { accessKeyId: `ASIA${alnum(16).toUpperCase()}`, expiration: 'May 1, 2024, 9:00:00 AM' },
      },
    }),
  ],
  ['s3.amazonaws.com', 'GetBucketAcl', 4, () => ({ requestParameters: { bucketName: `logs-${hex(6)}`, acl: '' } })],
  ['rds.amazonaws.com', 'DescribeDBInstances', 3, () => ({ requestParameters: { maxRecords: 100 } })],
  ['lambda.amazonaws.com', 'GetFunction20150331v2', 2, () => ({ requestParameters: { functionName: `fn-${hex(6)}` } })],
  [
    'ec2.amazonaws.com',
    'RunInstances',
    1,
    () => ({
      region: pick([...ALLOWED]),
      requestParameters: { instanceType: 't3.micro' },
      responseElements: instance(),
    }),
  ],
  [
    'ec2.amazonaws.com',
    'AuthorizeSecurityGroupIngress',
    1,
    () => ({
      requestParameters: {
        groupId: `sg-${hex(17)}`,
        ipPermissions: {
          items: [{ ipProtocol: 'tcp', fromPort: 443, toPort: 443, ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] } }],
        },
      },
      responseElements: { _return: true },
    }),
  ],
  [
    'iam.amazonaws.com',
    'CreateRole',
    1,
    (c) => ({
      requestParameters: {
        roleName: `app-${hex(6)}`,
        assumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
        }),
      },
      responseElements: {
        role: { roleId: `AROA${alnum(17).toUpperCase()}`, arn: `arn:aws:iam::${c.account}:role/app` },
      },
    }),
  ],
  ['cloudtrail.amazonaws.com', 'DescribeTrails', 1, () => ({ requestParameters: { includeShadowTrails: false } })],
];

// [type the default rules report, weight, generator]
const VIOLATING = [
  [
    'WRONG_REGION',
    3,
    () => ({
      eventSource: 'ec2.amazonaws.com',
      eventName: 'RunInstances',
      region: pick(['us-east-1', 'us-west-2', 'ap-southeast-1']),
      requestParameters: { instanceType: 't3.micro' },
      responseElements: instance(),
    }),
  ],
  [
    'EC2_WITH_KEYPAIR',
    2,
    () => ({
      eventSource: 'ec2.amazonaws.com',
      eventName: 'RunInstances',
      region: pick([...ALLOWED]),
      requestParameters: { instanceType: 't3.micro', keyName: 'ops' },
      responseElements: instance({ keyName: 'ops' }),
    }),
  ],
  [
    'LAMBDA_FUNCTION_CREATED_FROM_UNTRUSTED_LOCATION',
    2,
    (c) => ({
      eventSource: 'lambda.amazonaws.com',
      eventName: 'UpdateFunctionCode20150331v2',
      region: pick([...ALLOWED]),
      requestParameters: { functionName: `fn-${hex(6)}`, s3Bucket: `scratch-${hex(6)}`, s3Key: 'code.zip' },
      responseElements: { functionName: 'fn', functionArn: `arn:aws:lambda:eu-central-1:${c.account}:function:fn` },
    }),
  ],
  [
    'PASSWORD_USED',
    2,
    (c) => ({
      eventSource: 'signin.amazonaws.com',
      eventName: 'ConsoleLogin',
      userIdentity: {
        type: 'IAMUser',
        principalId: `AIDA${alnum(17).toUpperCase()}`,
        arn: `arn:aws:iam::${c.account}:user/alice`,
        accountId: c.account,
        userName: 'alice',
      },
      responseElements: { ConsoleLogin: 'Success' },
      additionalEventData: { MFAUsed: 'Yes', LoginTo: 'https://console.aws.amazon.com/console/home' },
    }),
  ],
  [
    'UNSECURED_ROOT_USER',
    1,
    (c) => ({
      eventSource: 'signin.amazonaws.com',
      eventName: 'ConsoleLogin',
      userIdentity: {
        type: 'Root',
        principalId: c.account,
        arn: `arn:aws:iam::${c.account}:root`,
        accountId: c.account,
      },
      responseElements: { ConsoleLogin: 'Success' },
      additionalEventData: { MFAUsed: 'No' },
    }),
  ],
  [
    'CROSS_ACCOUNT_ROLE',
    1,
    () => ({
      eventSource: 'iam.amazonaws.com',
      eventName: 'UpdateAssumeRolePolicy',
      region: 'us-east-1',
      requestParameters: {
        roleName: `ops-${hex(6)}`,
        policyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::999999999999:root' }, Action: 'sts:AssumeRole' },
          ],
        }),
      },
      responseElements: null,
    }),
  ],
  [
    'UNSECURED_PUBLIC_ENDPOINT',
    2,
    () => ({
      eventSource: 'ec2.amazonaws.com',
      eventName: 'AuthorizeSecurityGroupIngress',
      requestParameters: {
        groupId: `sg-${hex(17)}`,
        ipPermissions: {
          items: [{ ipProtocol: 'tcp', fromPort: 22, toPort: 22, ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] } }],
        },
      },
      responseElements: { _return: true },
    }),
  ],
  [
    'CLOUDTRAIL_TAMPERING',
    1,
    () => ({
      eventSource: 'cloudtrail.amazonaws.com',
      eventName: 'StopLogging',
      requestParameters: { name: 'org-trail' },
      responseElements: null,
    }),
  ],
];

function weighted(list, weightAt) {
  const sum = list.reduce((s, item) => s + item[weightAt], 0);
  return () => {
    let r = random() * sum;
    for (const item of list) if ((r -= item[weightAt]) < 0) return item;
    return list[list.length - 1];
  };
}
const benign = weighted(BENIGN, 2);
const violating = weighted(VIOLATING, 1);

function record(account, region, time) {
  const ctx = { account };
  let fields;
  let type;
  const draw = random();
  if (draw < share) {
    const [violationType, , make] = violating();
    type = violationType;
    fields = make(ctx);
  } else if (draw < share + launches) {
    fields = {
      eventSource: 'ec2.amazonaws.com',
      eventName: 'RunInstances',
      region: pick([...ALLOWED]),
      requestParameters: { instanceType: 't3.micro' },
      responseElements: instance(),
    };
  } else {
    const [eventSource, eventName, , make] = benign();
    fields = { eventSource, eventName, ...make(ctx) };
  }
  const awsRegion = fields.region ?? region;
  // Instances launch when their RunInstances call is made (the lifecycle records date RunInstances by it).
  for (const item of fields.responseElements?.instancesSet?.items ?? []) item.launchTime = time;
  if (type === 'WRONG_REGION' && ALLOWED.has(awsRegion)) type = undefined;
  return {
    type,
    record: {
      eventVersion: '1.08',
      userIdentity: fields.userIdentity ?? identity(account),
      eventTime: new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      eventSource: fields.eventSource,
      eventName: fields.eventName,
      awsRegion,
      sourceIPAddress: `${10 + Math.floor(random() * 200)}.${Math.floor(random() * 255)}.${Math.floor(random() * 255)}.${Math.floor(random() * 255)}`,
      userAgent: pick([
        'aws-cli/2.15.30 Python/3.11.8 Linux/6.1 exe/x86_64',
        'Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#6.1 lang/python#3.12',
        'console.amazonaws.com',
        'terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.42.0',
      ]),
      requestParameters: fields.requestParameters ?? null,
      responseElements: fields.responseElements ?? null,
      ...(fields.additionalEventData ? { additionalEventData: fields.additionalEventData } : {}),
      requestID: uuid(),
      eventID: uuid(),
      readOnly: /^(Describe|Get|List|Decrypt)/.test(fields.eventName),
      eventType: fields.eventSource === 'signin.amazonaws.com' ? 'AwsConsoleSignIn' : 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: account,
      eventCategory: 'Management',
      tlsDetails: {
        tlsVersion: 'TLSv1.3',
        cipherSuite: 'TLS_AES_128_GCM_SHA256',
        clientProvidedHostHeader: `${fields.eventSource.split('.')[0]}.${region}.amazonaws.com`,
      },
    },
  };
}

const expected = {};
let files = 0;
let written = 0;
let time = start;
const pad = (n) => String(n).padStart(2, '0');
while (written < total) {
  for (const account of accounts) {
    for (const region of regions) {
      if (written >= total) break;
      const count = Math.min(total - written, Math.max(1, Math.round(perFile * (0.5 + random()))));
      const records = [];
      for (let i = 0; i < count; i += 1) {
        const { type, record: r } = record(account, region, time + i * 1000);
        if (type) expected[type] = (expected[type] ?? 0) + 1;
        records.push(r);
      }
      const d = new Date(time);
      const day = `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}`;
      const stamp = `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}Z`;
      const dir = join(args.out, 'AWSLogs', account, 'CloudTrail', region, day);
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        join(dir, `${account}_CloudTrail_${region}_${stamp}_${alnum(16)}.json.gz`),
        gzipSync(JSON.stringify({ Records: records })),
      );
      files += 1;
      written += count;
    }
  }
  time += 5 * 60 * 1000;
}

const manifest = {
  files,
  records: written,
  accounts,
  regions,
  seed: Number(args.seed),
  violations: expected,
  violationsTotal: Object.values(expected).reduce((a, b) => a + b, 0),
};
writeFileSync(join(args.out, '.manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
if (!args.quiet)
  process.stderr.write(
    `generated ${written} records in ${files} files under ${args.out} (${manifest.violationsTotal} violating)\n`,
  );
