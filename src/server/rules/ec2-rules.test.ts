import { describe, expect, it } from 'vitest';
import { evaluate, event } from '../../../test/ingest/rule-event.js';

function runInstances(region: string, instances: Array<Record<string, unknown>>, extra: Record<string, unknown> = {}) {
  return event({
    eventSource: 'ec2.amazonaws.com',
    eventName: 'RunInstances',
    awsRegion: region,
    responseElements: { instancesSet: { items: instances } },
    ...extra,
  });
}

describe('WRONG_REGION', () => {
  it('reports each instance launched outside the allowed regions, with the allowed regions as meta', () => {
    const drafts = evaluate(
      runInstances('us-east-1', [{ instanceId: 'i-1', imageId: 'ami-1' }, { instanceId: 'i-2' }]),
    );
    expect(drafts).toEqual([
      expect.objectContaining({
        type: 'WRONG_REGION',
        instanceId: 'i-1',
        region: 'us-east-1',
        accountId: '123456789012',
        metaInfo: { allowed_regions: ['eu-central-1', 'eu-west-1'] },
      }),
      expect.objectContaining({ type: 'WRONG_REGION', instanceId: 'i-2' }),
    ]);
    expect(drafts[0]).toMatchObject({
      eventId: '11111111-2222-3333-4444-555555555555',
      username: 'arn:aws:iam::123456789012:user/alice',
      pluginName: 'fullstop.rules.WRONG_REGION',
    });
  });

  it('accepts the default and the configured regions', () => {
    expect(evaluate(runInstances('eu-west-1', [{ instanceId: 'i-1' }]))).toEqual([]);
    expect(
      evaluate(runInstances('us-east-1', [{ instanceId: 'i-1' }]), {
        wrong_region: { allowed_regions: ['us-east-1'] },
      }),
    ).toEqual([]);
  });

  it('reports nothing without response elements, for a failed call, or when disabled', () => {
    expect(evaluate(runInstances('us-east-1', [], { responseElements: null }))).toEqual([]);
    expect(
      evaluate(runInstances('us-east-1', [{ instanceId: 'i-1' }], { errorCode: 'Client.UnauthorizedOperation' })),
    ).toEqual([]);
    expect(evaluate(runInstances('us-east-1', [{ instanceId: 'i-1' }]), { wrong_region: { enabled: false } })).toEqual(
      [],
    );
  });

  it('reports Lambda functions created outside the allowed regions, whatever the API-version suffix', () => {
    for (const eventName of ['CreateFunction20150331', 'CreateFunction2ffff31', 'CreateFunction']) {
      const drafts = evaluate(
        event({
          eventSource: 'lambda.amazonaws.com',
          eventName,
          awsRegion: 'us-east-1',
          requestParameters: { functionName: 'f', code: { s3Bucket: 'b' } },
          responseElements: { functionName: 'f', functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:f' },
        }),
        { lambda_function_created_from_untrusted_location: { enabled: false } },
      );
      expect(drafts).toEqual([
        expect.objectContaining({
          type: 'WRONG_REGION',
          instanceId: 'arn:aws:lambda:us-east-1:123456789012:function:f',
          metaInfo: { function_name: 'f' },
        }),
      ]);
    }
  });
});

describe('EC2_WITH_KEYPAIR', () => {
  it('reports instances launched with a key pair', () => {
    const drafts = evaluate(
      runInstances('eu-west-1', [
        { instanceId: 'i-1', imageId: 'ami-9', keyName: 'kmeier' },
        { instanceId: 'i-2', keyName: ' ' },
      ]),
    );
    expect(drafts).toEqual([
      expect.objectContaining({
        type: 'EC2_WITH_KEYPAIR',
        instanceId: 'i-1',
        metaInfo: { key_name: 'kmeier', ami_owner_id: '', ami_id: 'ami-9', ami_name: '' },
      }),
    ]);
  });

  it('ignores instances without a key and other EC2 calls', () => {
    expect(evaluate(runInstances('eu-west-1', [{ instanceId: 'i-1' }]))).toEqual([]);
    expect(
      evaluate(
        event({
          eventSource: 'ec2.amazonaws.com',
          eventName: 'StartInstances',
          responseElements: { instancesSet: { items: [{ instanceId: 'i', keyName: 'k' }] } },
        }),
      ),
    ).toEqual([]);
  });
});

describe('UNSECURED_PUBLIC_ENDPOINT', () => {
  const ingress = (requestParameters: Record<string, unknown>) =>
    event({ eventSource: 'ec2.amazonaws.com', eventName: 'AuthorizeSecurityGroupIngress', requestParameters });
  const permission = (ipProtocol: string, fromPort: number, toPort: number, cidr: string) => ({
    groupId: 'sg-1',
    ipPermissions: {
      items: [
        {
          ipProtocol,
          fromPort,
          toPort,
          ipRanges: cidr.includes(':') ? {} : { items: [{ cidrIp: cidr }] },
          ipv6Ranges: cidr.includes(':') ? { items: [{ cidrIpv6: cidr }] } : {},
        },
      ],
    },
  });

  it('reports a port outside the allowed ones opened to any /0 range', () => {
    for (const cidr of ['0.0.0.0/0', '::/0', '10.0.0.0/0']) {
      expect(evaluate(ingress(permission('tcp', 22, 22, cidr)))).toEqual([
        expect.objectContaining({
          type: 'UNSECURED_PUBLIC_ENDPOINT',
          instanceId: 'sg-1',
          metaInfo: {
            unsecuredSecurityGroups: { 'sg-1': { group_name: '', offending_rules: [`tcp port 22 from ${cidr}`] } },
            errorMessages: ['Unsecured security group! Only ports 80, 443 are allowed'],
          },
        }),
      ]);
    }
  });

  it('reports all-protocol rules and the legacy top-level form', () => {
    expect(evaluate(ingress(permission('-1', -1, -1, '0.0.0.0/0')))).toHaveLength(1);
    expect(
      evaluate(
        ingress({
          groupId: 'sg-1',
          ipPermissions: {},
          ipProtocol: 'tcp',
          fromPort: 22,
          toPort: 22,
          cidrIp: '0.0.0.0/0',
        }),
      ),
    ).toHaveLength(1);
    expect(evaluate(ingress(permission('tcp', 0, 65535, '0.0.0.0/0')))).toHaveLength(1);
  });

  it('reads a protocol that is neither a name nor a number (a mangled record) as all protocols, without throwing', () => {
    // An object whose toString is not a function made String() throw: the rule lost the event.
    const mangled = JSON.parse('{"toString": "x", "valueOf": "y"}') as unknown as string;
    expect(evaluate(ingress(permission(mangled, 22, 22, '0.0.0.0/0')))).toEqual([
      expect.objectContaining({
        metaInfo: expect.objectContaining({
          unsecuredSecurityGroups: { 'sg-1': { group_name: '', offending_rules: ['-1 port all from 0.0.0.0/0'] } },
        }),
      }),
    ]);
  });

  it('accepts allowed ports, private ranges, ICMP and configured ports', () => {
    expect(evaluate(ingress(permission('tcp', 443, 443, '0.0.0.0/0')))).toEqual([]);
    expect(evaluate(ingress(permission('tcp', 22, 22, '10.0.0.0/8')))).toEqual([]);
    expect(evaluate(ingress(permission('icmp', -1, -1, '0.0.0.0/0')))).toEqual([]);
    expect(
      evaluate(ingress(permission('tcp', 22, 22, '0.0.0.0/0')), { unsecured_public_endpoint: { allowed_ports: [22] } }),
    ).toEqual([]);
  });

  it('reports RDS instances created or modified publicly accessible, not private ones', () => {
    const rds = (eventName: string, publiclyAccessible: boolean) =>
      event({
        eventSource: 'rds.amazonaws.com',
        eventName,
        requestParameters: { dBInstanceIdentifier: 'db1', publiclyAccessible },
      });
    expect(evaluate(rds('CreateDBInstance', true))).toEqual([
      expect.objectContaining({
        type: 'UNSECURED_PUBLIC_ENDPOINT',
        instanceId: 'db1',
        metaInfo: {
          unsecuredDatabase: 'db1',
          errorMessages: 'Unsecured Database! Your DB can be reached from outside',
        },
      }),
    ]);
    expect(evaluate(rds('ModifyDBInstance', true))).toHaveLength(1);
    expect(evaluate(rds('CreateDBInstance', false))).toEqual([]);
  });
});
