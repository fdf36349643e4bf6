/**
 * `GET /health` (no auth): up once the store is open, which `buildApp` requires. It also shows the pending
 * evaluations (events whose look-ups failed, waiting for a retry): how many, and how long the oldest has waited,
 * so monitoring sees an outage of a looked-up system that outlasts the retries.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { IngestStore } from '../../store/store.js';

const PendingEvaluations = Type.Object({
  count: Type.Integer(),
  oldest_age_seconds: Type.Union([Type.Number(), Type.Null()]),
});

const Health = Type.Object({
  status: Type.Literal('UP'),
  pending_evaluations: Type.Optional(PendingEvaluations),
});

export const healthRoutes: FastifyPluginAsyncTypebox<{ store?: IngestStore }> = async (app, { store }) => {
  app.get('/health', { schema: { hide: true, response: { 200: Health } } }, async (request) => {
    if (store === undefined) return { status: 'UP' as const };
    try {
      const { count, oldestAgeMs } = await store.pendingEvaluationStatus();
      const age = oldestAgeMs === null ? null : Math.floor(oldestAgeMs / 1000);
      return { status: 'UP' as const, pending_evaluations: { count, oldest_age_seconds: age } };
    } catch (error) {
      // Whether the store answers is the store check's business; this part is left out when it does not.
      request.log.warn({ err: error }, 'health: pending evaluations could not be counted');
      return { status: 'UP' as const };
    }
  });
};
