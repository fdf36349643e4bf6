/**
 * Business authorisation, as in the original server: resolving needs membership of the violation's account;
 * whitelisting rules need a team listed in `whitelist.allowed_teams`. The token's own `accounts`/`teams`
 * decide when it has them, else the team service, else nothing is allowed.
 */
import { forbidden } from '../http/errors.js';
import type { Principal } from './principal.js';
import { WRITE_SCOPE } from './principal.js';
import type { TeamService } from './team-service.js';

export interface AccessControl {
  /** The accounts whose violations `principal` may resolve: every account (`*`) or these. */
  resolvableAccounts(principal: Principal): Promise<'*' | readonly string[]>;
  assertCanManageRules(principal: Principal): Promise<void>;
  assertCanCreateViolations(principal: Principal): void;
}

export function createAccessControl(options: {
  teamService?: TeamService | undefined;
  allowedTeams: readonly string[];
}): AccessControl {
  const { teamService, allowedTeams } = options;
  async function resolvableAccounts(principal: Principal): Promise<'*' | readonly string[]> {
    if (principal.unrestricted || principal.accounts === '*') return '*';
    return principal.accounts ?? (teamService ? await teamService.accountsOf(principal.uid, principal.token) : []);
  }
  return {
    resolvableAccounts,
    async assertCanManageRules(principal) {
      if (principal.unrestricted) return;
      const teams = principal.teams ?? (teamService ? await teamService.teamsOf(principal.uid, principal.token) : []);
      if (!teams.some((team) => allowedTeams.includes(team))) {
        throw forbidden(
          `whitelisting rules need membership of one of the teams: ${allowedTeams.join(', ') || '(none configured)'}`,
        );
      }
    },
    assertCanCreateViolations(principal) {
      if (!principal.unrestricted && !principal.scopes.includes(WRITE_SCOPE))
        throw forbidden(`creating violations needs scope ${WRITE_SCOPE}`);
    },
  };
}

/** Why `principal` may not resolve a violation of `accountId`: the 403 message of both resolution routes. */
export function mayNotResolve(principal: Principal, accountId: string | null): string {
  return `${principal.uid} may not resolve violations of account ${accountId ?? '(none)'}`;
}
