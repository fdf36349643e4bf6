/** Who is calling, after the bearer token was checked. */
export interface Principal {
  uid: string;
  scopes: readonly string[];
  /** Token-info realm (`/employees`, `/services`); undefined for static tokens. */
  realm: string | undefined;
  /** Accounts this caller may resolve violations of, when the token says so; otherwise the team service decides. */
  accounts: '*' | readonly string[] | undefined;
  /** Teams of the caller, when the token says so; otherwise the team service decides. */
  teams: readonly string[] | undefined;
  /** `--no-auth`: allowed everything. */
  unrestricted: boolean;
  /** The bearer token, forwarded to the team service when no service token is configured. Never logged. */
  token: string;
}

export const WRITE_SCOPE = 'fullstop.violation.write';

/** The caller of a server started with `--no-auth`. */
export const LOCAL_PRINCIPAL: Principal = {
  uid: 'local',
  scopes: ['uid', WRITE_SCOPE],
  realm: undefined,
  accounts: '*',
  teams: undefined,
  unrestricted: true,
  token: '',
};
