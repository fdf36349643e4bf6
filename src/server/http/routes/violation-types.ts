/** `GET /api/violation-types`: a plain array, not paged. */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { RouteDeps } from '../deps.js';

export const violationTypeRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { store }) => {
  app.get(
    '/violation-types',
    { schema: { summary: 'All violation types', response: { 200: Type.Array(Type.Ref('ViolationType')) } } },
    async () => store.listViolationTypes(),
  );
};
