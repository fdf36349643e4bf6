/**
 * JSON request bodies: fastify's own parser (which refuses `__proto__` and `constructor.prototype` keys), plus
 * a nesting limit. Code downstream walks the values recursively (JSON.stringify when a violation's meta info is
 * stored, the JsonPath of whitelisting rules), and thousands of nested arrays overflow the stack there: a 500
 * for a client's mistake. Parsing itself is iterative, and so is this check.
 */
import type { FastifyInstance } from 'fastify';
import { badRequest } from './errors.js';

/** Far beyond any meta info (CloudTrail's own records nest about ten levels), far below any stack limit. */
export const MAX_JSON_DEPTH = 100;

function tooDeep(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (depth > limit) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}

/** Replaces the `application/json` parser of `app` and its children. */
export function installJsonBodyParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    parse(request, body as string, (error, value) => {
      if (error) return done(error, undefined);
      if (tooDeep(value, MAX_JSON_DEPTH))
        return done(badRequest(`body: JSON nested deeper than ${MAX_JSON_DEPTH} levels`), undefined);
      done(null, value);
    });
  });
}
