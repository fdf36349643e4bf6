/**
 * `POST /api/violations/resolutions`: resolves many violations with one comment in one request, which the
 * original Java server does not have (it answers 405 for this path). The body is JSON
 * `{"ids": [...], "comment": "..."}`; the answer has one outcome per id, in the order of the request, each
 * `resolved`, `not_found` or `forbidden` exactly as the single route (`resolution.ts`) would have answered
 * 200, 404 or 403 for it. An empty `ids` resolves nothing, so clients can ask whether a server has the route.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { MAX_BATCH_RESOLUTION_IDS, type BatchResolutionOutcome } from '../../../shared/resolution-batch.js';
import type { RouteDeps } from '../deps.js';
import { badRequest } from '../errors.js';
import { principalOf } from '../auth-hook.js';
import { mayNotResolve } from '../../auth/access.js';

const Body = Type.Object({
  ids: Type.Array(Type.Integer({ minimum: 0 }), {
    maxItems: MAX_BATCH_RESOLUTION_IDS,
    uniqueItems: true,
    description: `violation ids, distinct, at most ${MAX_BATCH_RESOLUTION_IDS}; [] resolves nothing`,
  }),
  comment: Type.String({ description: 'the resolution comment; must not be blank' }),
});

const Outcome = Type.Object({
  id: Type.Integer(),
  status: Type.Union([Type.Literal('resolved'), Type.Literal('not_found'), Type.Literal('forbidden')]),
  message: Type.Optional(Type.String({ description: 'why it was not resolved' })),
});

export const batchResolutionRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { store, access }) => {
  app.post(
    '/violations/resolutions',
    {
      schema: {
        summary: 'Resolve many violations with one comment (not in the original server)',
        description:
          'Each id is resolved, or not, exactly as POST /api/violations/{id}/resolution would have done: ' +
          'resolved (200 there), not_found (404) or forbidden (403: the caller may not resolve its account).',
        body: Body,
        response: { 200: Type.Object({ results: Type.Array(Outcome) }) },
      },
    },
    async (request) => {
      const { ids, comment } = request.body;
      if (comment.trim() === '') throw badRequest("body field 'comment' must not be blank");
      const principal = principalOf(request);
      const accounts = await access.resolvableAccounts(principal);
      const outcomes = await store.resolveViolations(ids, comment, principal.uid, accounts);
      const results = outcomes.map((o): BatchResolutionOutcome => {
        if (o.status === 'resolved') return { id: o.id, status: 'resolved' };
        if (o.status === 'not_found') return { id: o.id, status: 'not_found', message: `violation ${o.id} not found` };
        return { id: o.id, status: 'forbidden', message: mayNotResolve(principal, o.accountId) };
      });
      return { results };
    },
  );
};
