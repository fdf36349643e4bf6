/** Database URLs: which store they name, and how to show them without their password. */

/** The URLs of the PostgreSQL store. */
export const POSTGRES_URL = /^postgres(?:ql)?:\/\//i;

/** `postgres://user:secret@host/db` → `postgres://user:***@host/db`, for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:/@]*:)[^@/]*@/i, '$1***@');
}

/** Largest pool a URL or config may ask for: PostgreSQL's own default max_connections is 100. */
export const MAX_POOL_SIZE = 1000;

/**
 * Takes `pool_size=N` out of a PostgreSQL URL's query (the driver knows no such parameter): the URL without it,
 * and N. Throws with the reason when N is not a whole number from 1 to MAX_POOL_SIZE.
 */
export function takePoolSize(url: string): { url: string; poolSize?: number } {
  const match = /([?&])pool_size=([^&#]*)(&?)/.exec(url);
  if (match === null) return { url };
  const value = decodeURIComponent(match[2]!);
  const poolSize = /^\d{1,4}$/.test(value) ? Number(value) : NaN;
  if (!(poolSize >= 1 && poolSize <= MAX_POOL_SIZE))
    throw new Error(`pool_size must be a whole number from 1 to ${MAX_POOL_SIZE}, got '${value}'`);
  // `?pool_size=4&a=b` → `?a=b`; `?a=b&pool_size=4` → `?a=b`; `?pool_size=4` → ``.
  const rest = match[3] === '&' ? match[1]! : '';
  const stripped = url.slice(0, match.index) + rest + url.slice(match.index + match[0].length);
  return { url: stripped, poolSize };
}
