/** `GET /api/ingest/failures`: files that could not be read as CloudTrail, until a later commit succeeds. */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { RouteDeps } from '../deps.js';

const IngestFailureSchema = Type.Object({
  source: Type.String(),
  key: Type.String(),
  fingerprint: Type.String(),
  reason: Type.String(),
  at: Type.String(),
});

export const ingestRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { store }) => {
  app.get(
    '/ingest/failures',
    { schema: { summary: 'Files that failed to ingest', response: { 200: Type.Array(IngestFailureSchema) } } },
    async () => store.listIngestFailures(),
  );
};
