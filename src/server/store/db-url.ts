/** Database URLs: which store they name, and how to show them without their password. */

/** The URLs of the PostgreSQL store. */
export const POSTGRES_URL = /^postgres(?:ql)?:\/\//i;

/** `postgres://user:secret@host/db` → `postgres://user:***@host/db`, for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:/@]*:)[^@/]*@/i, '$1***@');
}
