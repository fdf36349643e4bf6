/**
 * EC2 look-ups in the instance's own account and region: the AMI (DescribeImages), the instance's AMI id and
 * tags (DescribeInstances) and its user data (DescribeInstanceAttribute). An AMI or instance that does not exist
 * (any more) and an instance without user data are definite answers; as the original, they are kept a minute
 * after their last use (AmiProviderImpl, AmiIdProviderImpl, TaupageYamlProviderImpl).
 */
import { gunzipSync } from 'node:zlib';
import { awsRetryable, errorCode } from './aws-errors.js';
import { items, text, type Ec2Query } from './ec2-query.js';
import { cachedLookup, type LookupContext } from './cached-lookup.js';
import type { AmiFacts } from './facts.js';

export interface InstanceRef {
  account: string;
  region: string;
  /** The AMI id for `image`, the instance id otherwise. */
  id: string;
}

export interface DescribedInstance {
  imageId: string | null;
  tags: Record<string, string>;
}

export interface Ec2Lookups {
  image(ref: InstanceRef): Promise<AmiFacts | null>;
  instance(ref: InstanceRef): Promise<DescribedInstance | null>;
  /** The user data as text (base64-decoded, gunzipped when compressed), or null when there is none. */
  userData(ref: InstanceRef): Promise<string | null>;
}

const NOT_FOUND = /^Invalid(AMIID|InstanceID)\.(NotFound|Malformed|Unavailable)$/;

/** The answer, or null when EC2 says the AMI or instance does not exist. */
async function orAbsent<T>(call: Promise<T>): Promise<T | null> {
  try {
    return await call;
  } catch (error) {
    if (NOT_FOUND.test(errorCode(error) ?? '')) return null;
    throw error;
  }
}

export function decodeUserData(base64: string): string {
  const bytes = Buffer.from(base64, 'base64');
  // Taupage accepts gzipped user data; the original read it as text and missed it.
  return (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString('utf8');
}

export function ec2Lookups(context: LookupContext, ec2: Ec2Query): Ec2Lookups {
  const common = {
    system: (ref: InstanceRef) => `aws:${ref.account}`,
    key: (ref: InstanceRef) => `${ref.account}/${ref.region}/${ref.id}`,
    ttlMs: 60_000,
    updateAgeOnGet: true,
    retryable: awsRetryable,
  };
  const images = cachedLookup<InstanceRef, AmiFacts>(context, {
    ...common,
    lookup: 'DescribeImages',
    async fetch({ account, region, id }, signal) {
      const answer = await orAbsent(ec2.call(account, region, 'DescribeImages', { 'ImageId.1': id }, signal));
      const images = items(answer?.['imagesSet']);
      const image = images.find((candidate) => candidate['imageId'] === id) ?? images[0];
      return image ? { id, name: text(image['name']) ?? '', ownerId: text(image['imageOwnerId']) ?? '' } : null;
    },
  });
  const instances = cachedLookup<InstanceRef, DescribedInstance>(context, {
    ...common,
    lookup: 'DescribeInstances',
    async fetch({ account, region, id }, signal) {
      const answer = await orAbsent(ec2.call(account, region, 'DescribeInstances', { 'InstanceId.1': id }, signal));
      const instance = items(answer?.['reservationSet'])
        .flatMap((reservation) => items(reservation['instancesSet']))
        .find((candidate) => candidate['instanceId'] === id);
      if (instance === undefined) return null;
      const tags: Record<string, string> = {};
      for (const tag of items(instance['tagSet'])) {
        const key = text(tag['key']);
        if (key !== undefined) tags[key] = text(tag['value']) ?? '';
      }
      return { imageId: text(instance['imageId']) ?? null, tags };
    },
  });
  const userData = cachedLookup<InstanceRef, string>(context, {
    ...common,
    lookup: 'DescribeInstanceAttribute userData',
    async fetch({ account, region, id }, signal) {
      const answer = await orAbsent(
        ec2.call(account, region, 'DescribeInstanceAttribute', { InstanceId: id, Attribute: 'userData' }, signal),
      );
      const value = text((answer?.['userData'] as Record<string, unknown> | undefined)?.['value']);
      return value ? decodeUserData(value) : null;
    },
  });
  return {
    image: (ref) => images.get(ref),
    instance: (ref) => instances.get(ref),
    userData: (ref) => userData.get(ref),
  };
}
