/**
 * Stands in for STS, EC2 and IAM over the real query protocols (form-encoded requests, XML answers), reached
 * through AWS_ENDPOINT_URL. AssumeRole issues credentials whose access key names the account; EC2 and IAM answer
 * from the state of the account whose assumed credentials signed the request, and refuse other credentials
 * (AuthFailure / InvalidClientTokenId), so a look-up made with the wrong account's credentials fails visibly.
 * Fault operations are the action names (`AssumeRole`, `DescribeImages`, `GetRolePolicy`, …).
 */
import type { IncomingMessage } from 'node:http';
import { failure, success } from './aws-query-xml.js';
import { startStandIn, type Answer, type StandIn } from './stand-in.js';

export interface AwsAccount {
  /** Assumable roles, with the external id they require, if any. */
  roles: Map<string, { externalId?: string }>;
  images: Map<string, { name: string; ownerId: string }>;
  /** Instances; `userData` is the text (served base64-encoded) or raw base64 with `userDataBase64`. */
  instances: Map<
    string,
    { imageId?: string; tags?: Record<string, string>; userData?: string; userDataBase64?: string }
  >;
  /** IAM roles: attached policy names and inline policies (name → JSON text). */
  iamRoles: Map<string, { attached: string[]; inline: Record<string, string> }>;
}

export interface AwsStandIn extends StandIn {
  /** The account's state, created empty on first use. */
  account(id: string): AwsAccount;
  /** Credentials for the Fullstop account's own default chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY). */
  callerCredentials: { accessKeyId: string; secretAccessKey: string };
  /** Lifetime of issued credentials (default 3600 s). */
  credentialSeconds: number;
}

const CALLER_KEY = 'AKIAFULLSTOPCALLER01';

function signer(request: IncomingMessage): { accessKeyId: string; region: string; service: string } {
  const credential = /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\//.exec(request.headers.authorization ?? '');
  return { accessKeyId: credential?.[1] ?? '', region: credential?.[2] ?? '', service: credential?.[3] ?? '' };
}

/** EC2 lists are `Name.1`, `Name.2`, …. */
const list = (params: URLSearchParams, name: string) =>
  [...params.entries()].filter(([key]) => key.startsWith(`${name}.`)).map(([, value]) => value);

export async function startAwsStandIn(): Promise<AwsStandIn> {
  const accounts = new Map<string, AwsAccount>();
  const issued = new Map<string, { account: string; expires: number }>();
  let serial = 0;
  const account = (id: string): AwsAccount => {
    let state = accounts.get(id);
    if (state === undefined)
      accounts.set(id, (state = { roles: new Map(), images: new Map(), instances: new Map(), iamRoles: new Map() }));
    return state;
  };

  function assumeRole(params: URLSearchParams, callerKey: string): Answer {
    const arn = params.get('RoleArn') ?? '';
    const match = /^arn:aws:iam::(\d{12}):role\/(.+)$/.exec(arn);
    const role = match ? accounts.get(match[1]!)?.roles.get(match[2]!) : undefined;
    const denied = () =>
      failure(
        'sts',
        403,
        'AccessDenied',
        `User: ${callerKey} is not authorized to perform: sts:AssumeRole on resource: ${arn}`,
      );
    if (callerKey !== CALLER_KEY || !match || role === undefined) return denied();
    if (role.externalId !== undefined && params.get('ExternalId') !== role.externalId) return denied();
    const accessKeyId = `ASIA${match[1]}${String(++serial).padStart(4, '0')}`;
    const expires = Date.now() + standIn.credentialSeconds * 1000;
    issued.set(accessKeyId, { account: match[1]!, expires });
    return success('sts', 'AssumeRole', {
      Credentials: {
        AccessKeyId: accessKeyId,
        SecretAccessKey: `secret-${accessKeyId}`,
        SessionToken: `token-${accessKeyId}`,
        Expiration: new Date(expires).toISOString(),
      },
      AssumedRoleUser: {
        AssumedRoleId: `AROA${match[1]}:${params.get('RoleSessionName') ?? ''}`,
        Arn: `arn:aws:sts::${match[1]}:assumed-role/${match[2]}/${params.get('RoleSessionName') ?? ''}`,
      },
    });
  }

  function ec2(action: string, params: URLSearchParams, state: AwsAccount): Answer {
    if (action === 'DescribeImages') {
      const ids = list(params, 'ImageId');
      const missing = ids.find((id) => !state.images.has(id));
      if (missing) return failure('ec2', 400, 'InvalidAMIID.NotFound', `The image id '[${missing}]' does not exist`);
      return success('ec2', action, {
        imagesSet: ids.map((id) => ({
          imageId: id,
          imageOwnerId: state.images.get(id)!.ownerId,
          name: state.images.get(id)!.name,
          imageState: 'available',
        })),
      });
    }
    const instanceId =
      action === 'DescribeInstances' ? (list(params, 'InstanceId')[0] ?? '') : (params.get('InstanceId') ?? '');
    const instance = state.instances.get(instanceId);
    if (instance === undefined)
      return failure('ec2', 400, 'InvalidInstanceID.NotFound', `The instance ID '${instanceId}' does not exist`);
    if (action === 'DescribeInstances') {
      const tags = Object.entries(instance.tags ?? {}).map(([key, value]) => ({ key, value }));
      return success('ec2', action, {
        reservationSet: [
          { reservationId: 'r-standin', instancesSet: [{ instanceId, imageId: instance.imageId, tagSet: tags }] },
        ],
      });
    }
    if (action === 'DescribeInstanceAttribute') {
      const value =
        instance.userDataBase64 ??
        (instance.userData === undefined ? undefined : Buffer.from(instance.userData).toString('base64'));
      return success('ec2', action, { instanceId, userData: value === undefined ? '' : { value } });
    }
    return failure('ec2', 400, 'InvalidAction', `The action ${action} is not valid for this web service.`);
  }

  function iam(action: string, params: URLSearchParams, state: AwsAccount): Answer {
    const roleName = params.get('RoleName') ?? '';
    const role = state.iamRoles.get(roleName);
    if (role === undefined)
      return failure('iam', 404, 'NoSuchEntity', `The role with name ${roleName} cannot be found.`);
    if (action === 'ListAttachedRolePolicies')
      return success('iam', action, {
        AttachedPolicies: role.attached.map((name) => ({
          PolicyName: name,
          PolicyArn: `arn:aws:iam::aws:policy/${name}`,
        })),
        IsTruncated: false,
      });
    if (action === 'ListRolePolicies')
      return success('iam', action, { PolicyNames: Object.keys(role.inline), IsTruncated: false });
    if (action === 'GetRolePolicy') {
      const name = params.get('PolicyName') ?? '';
      const document = role.inline[name];
      if (document === undefined)
        return failure('iam', 404, 'NoSuchEntity', `The role policy with name ${name} cannot be found.`);
      return success('iam', action, {
        RoleName: roleName,
        PolicyName: name,
        PolicyDocument: encodeURIComponent(document),
      });
    }
    return failure('iam', 400, 'InvalidAction', `Could not find operation ${action}`);
  }

  const standIn: AwsStandIn = Object.assign(
    await startStandIn(
      (request, body) => {
        const params = new URLSearchParams(body);
        const action = params.get('Action') ?? '';
        const { accessKeyId, region, service } = signer(request);
        const owner = issued.get(accessKeyId);
        const detail = {
          service,
          region,
          accessKeyId,
          account: owner?.account ?? (accessKeyId === CALLER_KEY ? 'caller' : ''),
          ...Object.fromEntries(params),
        };
        return {
          operation: action,
          detail,
          answer: () => {
            if (service === 'sts')
              return action === 'AssumeRole'
                ? assumeRole(params, accessKeyId)
                : failure('sts', 400, 'InvalidAction', action);
            if (owner === undefined || owner.expires < Date.now())
              return service === 'ec2'
                ? failure('ec2', 401, 'AuthFailure', 'AWS was not able to validate the provided access credentials')
                : failure('iam', 403, 'InvalidClientTokenId', 'The security token included in the request is invalid.');
            const state = account(owner.account);
            return service === 'ec2' ? ec2(action, params, state) : iam(action, params, state);
          },
        };
      },
      (fault, operation) => {
        const service = /^(Describe)/.test(operation) ? 'ec2' : operation === 'AssumeRole' ? 'sts' : 'iam';
        return failure(service, fault.status ?? 400, fault.code ?? 'InternalError', fault.message ?? 'stand-in fault');
      },
    ),
    {
      account,
      callerCredentials: { accessKeyId: CALLER_KEY, secretAccessKey: 'stand-in-secret' },
      credentialSeconds: 3600,
    },
  );
  return standIn;
}
