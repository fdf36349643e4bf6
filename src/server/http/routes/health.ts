/** `GET /health` (no auth): up once the store is open, which `buildApp` requires. */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/health',
    { schema: { hide: true, response: { 200: Type.Object({ status: Type.Literal('UP') }) } } },
    async () => ({ status: 'UP' as const }),
  );
};
