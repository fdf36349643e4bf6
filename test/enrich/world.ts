/**
 * A small AWS world for the enrichment integration tests: one account with Taupage, approved and unapproved AMIs,
 * instances whose user data names applications (or whose tags do), the application registry (Kio) and an
 * artifact registry (Pier One) that know some of them, CloudTrail files of their RunInstances and StopInstances
 * events, and the config file that sets it all up. The stand-ins run on random loopback ports.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { AwsStandIn } from '../helpers/aws-stand-in.js';
import { startKioStandIn, type KioStandIn } from '../helpers/kio-stand-in.js';
import { startPieroneStandIn, type PieroneStandIn } from '../helpers/pierone-stand-in.js';

export const ACCOUNT = '123456789012';
export const TAUPAGE_OWNER = '999999999999';
export const AMI = { taupage: 'ami-7a0e0001', ubuntu: 'ami-0b0b0002', approved: 'ami-a99e0003' } as const;

export interface World {
  aws: AwsStandIn;
  kio: KioStandIn;
  pierone: PieroneStandIn;
  close(): Promise<void>;
}

const taupage = (app: string, version: string, source: string) =>
  `#taupage-ami-config\napplication_id: ${app}\napplication_version: "${version}"\nruntime: Docker\nsource: ${source}\n`;

/** Starts Kio and Pier One, and fills the AWS stand-in's account. */
export async function startWorld(aws: AwsStandIn): Promise<World> {
  const [kio, pierone] = await Promise.all([startKioStandIn(), startPieroneStandIn()]);
  const account = aws.account(ACCOUNT);
  account.roles.set('fullstop', {});
  account.images.set(AMI.taupage, { name: 'Taupage-AMI-20240501', ownerId: TAUPAGE_OWNER });
  account.images.set(AMI.ubuntu, { name: 'ubuntu-jammy-22.04', ownerId: '099720109477' });
  account.images.set(AMI.approved, { name: 'custom-hardened', ownerId: ACCOUNT });
  const onTaupage = (app: string, version: string, source: string) => ({
    imageId: AMI.taupage,
    userData: taupage(app, version, source),
  });
  account.instances.set('i-shop1', onTaupage('shop', '1.0', 'pierone.example.org/team/shop:1.0'));
  account.instances.set('i-shop2', onTaupage('shop', '1.1', 'pierone.example.org/team/shop:1.1'));
  account.instances.set('i-cart', onTaupage('cart', '2.0', 'pierone.example.org/team/cart:2.0'));
  account.instances.set('i-bare', { imageId: AMI.taupage });
  account.instances.set('i-ubuntu', { imageId: AMI.ubuntu, tags: { application: 'tagged', version: '7' } });
  account.instances.set('i-approved', { tags: { application: 'hardened', version: '3' } });
  kio.apps.set('shop', { name: 'Shop', team_id: 'team', scm_url: 'https://github.com/zalando/shop.git' });
  const clean = { url: 'https://github.com/zalando/shop', revision: 'cafe', author: 'alice', status: '' };
  pierone.addTag('team', 'shop', '1.0', clean);
  pierone.addTag('team', 'shop', '1.1', { ...clean, status: 'M README.md' });
  pierone.addTag('team', 'cart', '2.0', { url: 'https://github.com/someone/cart', revision: 'b', author: 'b' });
  return {
    aws,
    kio,
    pierone,
    async close() {
      await Promise.all([kio.close(), pierone.close()]);
    },
  };
}

function identity() {
  return {
    type: 'AssumedRole',
    principalId: 'AROAEXAMPLE:deployer',
    arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Deployer/deployer`,
    accountId: ACCOUNT,
  };
}

/** An EC2 instance event of one instance, as CloudTrail writes it. */
export function instanceEvent(
  eventName: 'RunInstances' | 'StopInstances',
  eventId: string,
  instanceId: string,
  options: { imageId?: string; region?: string; keyName?: string } = {},
) {
  const item: Record<string, unknown> = { instanceId };
  if (eventName === 'RunInstances') {
    if (options.imageId !== undefined) item['imageId'] = options.imageId;
    item['launchTime'] = Date.parse('2024-05-01T10:00:00Z');
    if (options.keyName !== undefined) item['keyName'] = options.keyName;
  } else {
    item['currentState'] = { code: 64, name: 'stopping' };
  }
  return {
    eventVersion: '1.08',
    userIdentity: identity(),
    eventTime: '2024-05-01T10:00:01Z',
    eventSource: 'ec2.amazonaws.com',
    eventName,
    awsRegion: options.region ?? 'eu-west-1',
    requestParameters: {},
    responseElements: { instancesSet: { items: [item] } },
    eventID: eventId,
    recipientAccountId: ACCOUNT,
  };
}

/** The events of the world: what each instance's RunInstances yields is spelt out in the tests. */
export function worldEvents() {
  return [
    instanceEvent('RunInstances', '00000000-0000-4000-8000-000000000001', 'i-shop1', { imageId: AMI.taupage }),
    instanceEvent('RunInstances', '00000000-0000-4000-8000-000000000002', 'i-shop2', {
      imageId: AMI.taupage,
      keyName: 'ops',
    }),
    instanceEvent('RunInstances', '00000000-0000-4000-8000-000000000003', 'i-cart', { imageId: AMI.taupage }),
    instanceEvent('RunInstances', '00000000-0000-4000-8000-000000000004', 'i-bare', { imageId: AMI.taupage }),
    // No imageId in the event: DescribeInstances finds it.
    instanceEvent('RunInstances', '00000000-0000-4000-8000-000000000005', 'i-ubuntu', { region: 'us-east-1' }),
    instanceEvent('RunInstances', '00000000-0000-4000-8000-000000000006', 'i-approved', { imageId: AMI.approved }),
    instanceEvent('StopInstances', '00000000-0000-4000-8000-000000000007', 'i-shop1'),
    {
      ...instanceEvent('RunInstances', '00000000-0000-4000-8000-000000000008', 'i-other'),
      eventSource: 'kms.amazonaws.com',
      eventName: 'Decrypt',
      responseElements: null,
    },
  ];
}

/** Writes events into CloudTrail files (two events a file) under `dir`. */
export function writeLogs(dir: string, events: readonly unknown[]): void {
  const folder = join(dir, 'AWSLogs', ACCOUNT, 'CloudTrail', 'eu-west-1', '2024', '05', '01');
  mkdirSync(folder, { recursive: true });
  for (let i = 0; i < events.length; i += 2)
    writeFileSync(
      join(folder, `${ACCOUNT}_CloudTrail_eu-west-1_20240501T1000Z_${String(i).padStart(4, '0')}.json.gz`),
      gzipSync(JSON.stringify({ Records: events.slice(i, i + 2) })),
    );
}

/** The config file: every enrichment rule on, the world's systems set up. */
export function writeConfig(path: string, world: World, extra = ''): void {
  writeFileSync(
    path,
    `rules:
  wrong_ami:
    owners: ['${TAUPAGE_OWNER}']
    approved_ids: [${AMI.approved}]
  scm_repository:
    hosts:
      github.com: '^zalando$'
enrichment:
  aws:
    application_tags: { id: application, version: version }
  application_registry:
    url: ${world.kio.url}
  artifact_registries:
    - host: pierone.example.org
      url: ${world.pierone.url}
  timeout_seconds: 1
${extra}`,
  );
}
