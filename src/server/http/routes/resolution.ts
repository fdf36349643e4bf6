/**
 * `POST /api/violations/{id}/resolution` (fullstop-api.md §1.4 (3)): the raw body, of any content type or none,
 * is the comment, exactly as the original's StringHttpMessageConverter reads it. This plugin is encapsulated so
 * its catch-all string parser applies to this route only.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { RouteDeps } from '../deps.js';
import { badRequest, notFound } from '../errors.js';
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
      const violation = await store.getViolation(id);
      if (violation === undefined) throw notFound(`violation ${id} not found`);
      const principal = principalOf(request);
      await access.assertCanResolve(principal, violation.account_id);
      const resolved = await store.resolveViolation(id, comment, principal.uid);
      if (resolved === undefined) throw notFound(`violation ${id} not found`);
      return resolved;
    },
  );
};
