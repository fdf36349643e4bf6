/** `GET /api/violation-count` and `/api/violation-count/{account}`. */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { CountFilter } from '../../model.js';
import type { RouteDeps } from '../deps.js';
import { BoolParam, DateTimeParam, ListParam, parseBool, parseDateTime, parseList } from '../params.js';

const CountQuery = Type.Object({
  from: Type.Optional(DateTimeParam('created after')),
  to: Type.Optional(DateTimeParam('created before')),
  resolved: Type.Optional(BoolParam('count resolved instead of open')),
  whitelisted: Type.Optional(BoolParam('count whitelisted (wins over resolved)')),
});

function toCountFilter(q: typeof CountQuery.static): CountFilter {
  return {
    from: parseDateTime('from', q.from),
    to: parseDateTime('to', q.to),
    resolved: parseBool(q.resolved),
    whitelisted: parseBool(q.whitelisted),
  };
}

export const violationCountRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { store }) => {
  app.get(
    '/violation-count',
    {
      schema: {
        summary: 'Counts per account and type; from/to strict',
        querystring: Type.Composite([CountQuery, Type.Object({ accounts: Type.Optional(ListParam('account ids')) })]),
        response: { 200: Type.Array(Type.Ref('CountByAccountAndType')) },
      },
    },
    async (request) => store.countByAccountAndType(parseList(request.query.accounts), toCountFilter(request.query)),
  );

  app.get(
    '/violation-count/:account',
    {
      schema: {
        summary: 'Counts of one account per application, version and type; from/to inclusive',
        params: Type.Object({ account: Type.String({ minLength: 1 }) }),
        querystring: CountQuery,
        response: { 200: Type.Array(Type.Ref('CountByAppVersionAndType')) },
      },
    },
    async (request) => store.countByAppVersionAndType(request.params.account, toCountFilter(request.query)),
  );
};
