/**
 * `POST /api/violations/{id}/resolution`, as the original's ViolationsController.resolveViolations: the raw body,
 * of any content type or none, is the comment, exactly as its StringHttpMessageConverter reads it. This plugin is
 * encapsulated so its catch-all string parser applies to this route only. Many violations at once:
 * `resolutions.ts`.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { RouteDeps } from '../deps.js';
import { badRequest, forbidden, notFound } from '../errors.js';
import { mayNotResolve } from '../../auth/access.js';
import { principalOf } from '../auth-hook.js';

export const resolutionRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { store, access }) => {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));

  app.post(
    '/violations/:id/resolution',
    {
      schema: {
        summary: 'Resolve a violation: the raw request body is the comment',
        params: Type.Object({ id: Type.Integer({ minimum: 0 }) }),
        response: { 200: Type.Ref('Violation') },
      },
    },
    async (request) => {
      const { id } = request.params;
      const comment = typeof request.body === 'string' ? request.body : '';
      if (comment.trim() === '') throw badRequest('body: the comment (the raw request body) must not be empty');
      const principal = principalOf(request);
      let accounts: Awaited<ReturnType<typeof access.resolvableAccounts>>;
      try {
        accounts = await access.resolvableAccounts(principal);
      } catch (error) {
        // The original loads the violation before it asks the team service: a missing one is 404 even then.
        if ((await store.getViolation(id)) === undefined) throw notFound(`violation ${id} not found`);
        throw error;
      }
      // One statement checks the account and updates; the row is read only when nothing changed.
      const result = await store.resolveViolation(id, comment, principal.uid, accounts);
      if (result.status === 'not_found') throw notFound(`violation ${id} not found`);
      if (result.status === 'forbidden') throw forbidden(mayNotResolve(principal, result.accountId));
      return result.violation;
    },
  );
};
