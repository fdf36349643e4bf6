/** Config validation errors in words, each named by its key path: `auth.tokens[0].scopes: expected array`. */
import { ValueErrorType, type ValueError } from '@sinclair/typebox/value';

/** `/auth/tokens/0/scopes` → `auth.tokens[0].scopes`. */
function keyPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path === '' ? part : `${path}.${part}`), '');
}

/** `accounts` entries get their own words: YAML reads unquoted digits as a number, and `["*"]` is not `"*"`. */
function describeAccount(value: unknown): string {
  if (value === '*') return 'an account named "*" in a list; for every account write accounts: "*" (no list)';
  if (typeof value === 'number')
    return `expected a 12-digit AWS account id in quotes, got the number ${value} (YAML drops leading zeros)`;
  return `expected a 12-digit AWS account id, got ${JSON.stringify(value)}`;
}

function describeError({ schema, message, path, value, type }: ValueError): string {
  if (/^\/auth\/tokens\/\d+\/accounts\/\d+$/.test(path)) return describeAccount(value);
  if (message === 'Unexpected property') return 'unknown key';
  const described =
    type === ValueErrorType.Union || type === ValueErrorType.StringPattern || type === ValueErrorType.StringFormat;
  const expected = typeof schema.description === 'string' && described ? `expected ${schema.description}` : undefined;
  return expected ?? message.charAt(0).toLowerCase() + message.slice(1);
}

/**
 * A list that fails a union of "a literal or a list" (`accounts`) is reported by its failing items, which say
 * more than "expected a or b".
 */
function expandListUnion(error: ValueError): ValueError[] {
  if (error.type !== ValueErrorType.Union || !Array.isArray(error.value)) return [error];
  const listBranch = error.errors
    .map((branch) => [...branch])
    .find((branch) => branch.length > 0 && branch.every((e) => e.path.startsWith(`${error.path}/`)));
  return listBranch === undefined ? [error] : listBranch.flatMap(expandListUnion);
}

/** One line per problem; a union's own error stands for the errors of its branches. */
export function configProblems(errors: readonly ValueError[]): string[] {
  return (
    errors
      .flatMap(expandListUnion)
      // A union reports each failed branch too; its own error says enough.
      .filter(
        (e, i, all) =>
          !all.some((other, j) => j < i && e.path.startsWith(`${other.path}/`) && other.message.includes('union')),
      )
      .map((e) => `${keyPath(e.path) || '(top level)'}: ${describeError(e)}`)
  );
}
