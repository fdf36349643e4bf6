import type { DetectionRule } from './rule.js';
import type { CloudTrailEvent } from './event.js';
import { asObject, itemsOf, nonBlank } from './event.js';
import { draftFor } from './draft.js';
import type { ResolvedRulesConfig } from './config.js';

const TYPE = 'UNSECURED_PUBLIC_ENDPOINT';
const PORT_PROTOCOLS = new Set(['tcp', '6', 'udp', '17']);
const ICMP_PROTOCOLS = new Set(['icmp', '1', 'icmpv6', '58']);
const RDS_EVENTS = [
  'CreateDBInstance',
  'ModifyDBInstance',
  'CreateDBInstanceReadReplica',
  'RestoreDBInstanceFromDBSnapshot',
  'RestoreDBInstanceToPointInTime',
  'RestoreDBInstanceFromS3',
];

function portOf(value: unknown): number | undefined {
  return typeof value === 'number' && value >= 0 ? value : undefined;
}

/** The protocol as EC2 names it: a name or a number; anything else (an object from a mangled record) reads as all. */
function protocolOf(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value).toLowerCase() : '-1';
}

/** Describes each internet-wide range of a permission that opens a port outside the allowed ones. */
function offendingRules(permission: Record<string, unknown>, allowed: ReadonlySet<number>): string[] {
  const cidrs = [
    ...itemsOf(permission['ipRanges']).map((range) => range['cidrIp']),
    ...itemsOf(permission['ipv6Ranges']).map((range) => range['cidrIpv6']),
    permission['cidrIp'],
    permission['cidrIpv6'],
  ].filter((cidr): cidr is string => typeof cidr === 'string' && cidr.trim().endsWith('/0'));
  if (cidrs.length === 0) return [];
  const protocol = protocolOf(permission['ipProtocol']);
  if (ICMP_PROTOCOLS.has(protocol)) return [];
  const from = portOf(permission['fromPort']) ?? 0;
  const to = portOf(permission['toPort']) ?? 65535;
  if (PORT_PROTOCOLS.has(protocol)) {
    let allowedInRange = 0;
    for (const port of allowed) if (port >= from && port <= to) allowedInRange += 1;
    if (allowedInRange === to - from + 1) return [];
  }
  const ports = PORT_PROTOCOLS.has(protocol) ? (from === to ? `${from}` : `${from}-${to}`) : 'all';
  return cidrs.map((cidr) => `${protocol} port ${ports} from ${cidr}`);
}

function securityGroupIngress(event: CloudTrailEvent, config: ResolvedRulesConfig) {
  const request = asObject(event.requestParameters);
  if (request === undefined) return [];
  const permissions = [...itemsOf(request['ipPermissions']), request];
  const offending = permissions.flatMap((permission) => offendingRules(permission, config.allowedPorts));
  if (offending.length === 0) return [];
  const groupId = nonBlank(request['groupId']) ?? nonBlank(request['groupName']) ?? '';
  const ports = [...config.allowedPorts].sort((a, b) => a - b).join(', ') || 'no ports';
  return [
    draftFor(event, TYPE, {
      instanceId: groupId || null,
      metaInfo: {
        unsecuredSecurityGroups: {
          [groupId]: { group_name: nonBlank(request['groupName']) ?? '', offending_rules: offending },
        },
        errorMessages: [`Unsecured security group! Only ports ${ports} are allowed`],
      },
    }),
  ];
}

function publicDatabase(event: CloudTrailEvent) {
  const request = asObject(event.requestParameters);
  const response = asObject(event.responseElements);
  // A modification that does not mention publiclyAccessible leaves it as it was: only `true` opens the DB.
  if (request?.['publiclyAccessible'] !== true && response?.['publiclyAccessible'] !== true) return [];
  const endpoint = nonBlank(asObject(response?.['endpoint'])?.['address']);
  const identifier = nonBlank(request?.['dBInstanceIdentifier']) ?? nonBlank(response?.['dBInstanceIdentifier']) ?? '';
  return [
    draftFor(event, TYPE, {
      instanceId: endpoint ?? (identifier || null),
      metaInfo: {
        unsecuredDatabase: endpoint ?? identifier,
        errorMessages: 'Unsecured Database! Your DB can be reached from outside',
      },
    }),
  ];
}

export const unsecuredPublicEndpoint: DetectionRule = {
  type: TYPE,
  triggers: { 'ec2.amazonaws.com': ['AuthorizeSecurityGroupIngress'], 'rds.amazonaws.com': RDS_EVENTS },
  evaluate(event, config) {
    return event.eventSource === 'rds.amazonaws.com' ? publicDatabase(event) : securityGroupIngress(event, config);
  },
};
