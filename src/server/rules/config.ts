import type { EnrichmentConfig } from '../enrich/config-schema.js';
import type { RulesConfig } from './config-schema.js';
import { metRequirements, type Requirement } from './requirements.js';

/** The `rules` section with every default applied; what the rules read. */
export interface ResolvedRulesConfig {
  disabled: ReadonlySet<string>;
  allowedRegions: readonly string[];
  trustedBuckets: ReadonlySet<string>;
  trustedAccounts: ReadonlySet<string>;
  allowedPorts: ReadonlySet<number>;
  /** Which AMIs are Taupage AMIs; undefined when no owner is configured. */
  taupage: { namePrefix: string; owners: ReadonlySet<string> } | undefined;
  approvedAmis: ReadonlySet<string>;
  /** Repository host → the pattern its owner must fully match, as configured and compiled. */
  scmHosts: ReadonlyMap<string, { pattern: string; owner: RegExp }>;
  roleTemplates: string | undefined;
  adminRoles: ReadonlySet<string>;
  /** What the configuration makes possible; rules needing anything else are off. */
  met: ReadonlySet<Requirement>;
}

export const DEFAULT_ALLOWED_REGIONS = ['eu-central-1', 'eu-west-1'] as const;
export const DEFAULT_ALLOWED_PORTS = [80, 443] as const;
export const DEFAULT_TAUPAGE_NAME_PREFIX = 'Taupage-';
export const DEFAULT_ADMIN_ROLES = ['Shibboleth-Administrator', 'OrganizationAccountAccessRole'] as const;

/** `enrichment` says which external systems exist; without it, every rule that needs one is off. */
export function resolveRulesConfig(config: RulesConfig = {}, enrichment?: EnrichmentConfig): ResolvedRulesConfig {
  const disabled = new Set<string>();
  for (const [key, section] of Object.entries(config)) {
    if (section?.enabled === false) disabled.add(key.toUpperCase());
  }
  const owners = config.wrong_ami?.owners ?? [];
  const role = config.modified_role_or_service;
  return {
    disabled,
    allowedRegions: config.wrong_region?.allowed_regions ?? [...DEFAULT_ALLOWED_REGIONS],
    trustedBuckets: new Set(config.lambda_function_created_from_untrusted_location?.trusted_buckets ?? []),
    trustedAccounts: new Set(config.cross_account_role?.trusted_accounts ?? []),
    allowedPorts: new Set(config.unsecured_public_endpoint?.allowed_ports ?? DEFAULT_ALLOWED_PORTS),
    taupage:
      owners.length === 0
        ? undefined
        : { namePrefix: config.wrong_ami?.name_prefix ?? DEFAULT_TAUPAGE_NAME_PREFIX, owners: new Set(owners) },
    approvedAmis: new Set(config.wrong_ami?.approved_ids ?? []),
    // The owner must match as a whole, as Java's String.matches did in the original.
    scmHosts: new Map(
      Object.entries(config.scm_repository?.hosts ?? {}).map(([host, pattern]) => [
        host.toLowerCase(),
        { pattern, owner: new RegExp(`^(?:${pattern})$`) },
      ]),
    ),
    roleTemplates: role?.templates,
    adminRoles: new Set(role?.admin_roles ?? DEFAULT_ADMIN_ROLES),
    met: metRequirements(config, enrichment),
  };
}
