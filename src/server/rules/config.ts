import type { RulesConfig } from './config-schema.js';

/** The `rules` section with every default applied; what the rules read. */
export interface ResolvedRulesConfig {
  disabled: ReadonlySet<string>;
  allowedRegions: readonly string[];
  trustedBuckets: ReadonlySet<string>;
  trustedAccounts: ReadonlySet<string>;
  allowedPorts: ReadonlySet<number>;
}

export const DEFAULT_ALLOWED_REGIONS = ['eu-central-1', 'eu-west-1'] as const;
export const DEFAULT_ALLOWED_PORTS = [80, 443] as const;

export function resolveRulesConfig(config: RulesConfig = {}): ResolvedRulesConfig {
  const disabled = new Set<string>();
  for (const [key, section] of Object.entries(config)) {
    if (section?.enabled === false) disabled.add(key.toUpperCase());
  }
  return {
    disabled,
    allowedRegions: config.wrong_region?.allowed_regions ?? [...DEFAULT_ALLOWED_REGIONS],
    trustedBuckets: new Set(config.lambda_function_created_from_untrusted_location?.trusted_buckets ?? []),
    trustedAccounts: new Set(config.cross_account_role?.trusted_accounts ?? []),
    allowedPorts: new Set(config.unsecured_public_endpoint?.allowed_ports ?? DEFAULT_ALLOWED_PORTS),
  };
}
