/**
 * `GET /health` (no auth), for load balancers and operators: 200 `{"status": "UP", …}` while the store answers a
 * ping (`SELECT 1`) within PING_TIMEOUT_MS, else 503 `{"status": "DOWN", …}` (the shape of Spring Boot's actuator,
 * which served the original's health check). The cause of a failed ping goes to the log, not to the anonymous
 * caller. While the server ingests, `ingest` shows the files this replica holds claims on and each source's pending
 * work. `pending_evaluations` counts the events whose look-ups failed, waiting for a retry, and how long the oldest
 * has waited, so monitoring sees an outage of a looked-up system that outlasts the retries. One ping and one count
 * of pending evaluations serve every request of the same second, so a busy health check costs the store little.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger } from 'fastify';
import type { ViolationStore } from '../../store/store.js';
import type { SourceStatus } from '../../ingest/continuous.js';

export const PING_TIMEOUT_MS = 2000;
/** How long one ping's outcome answers later requests. */
const PING_REUSE_MS = 1000;

/** What `/health` reports besides the store; main.ts fills `ingest` once continuous ingest runs. */
export interface HealthSources {
  ingest?: () => SourceStatus[];
}

export interface HealthOptions {
  store: ViolationStore;
  sources?: HealthSources;
  now?: () => number;
}

const Status = Type.Union([Type.Literal('UP'), Type.Literal('DOWN')]);
const Count = Type.Integer({ minimum: 0 });
const PendingEvaluations = Type.Object({
  count: Type.Integer(),
  oldest_age_seconds: Type.Union([Type.Number(), Type.Null()]),
});
const HealthSchema = Type.Object({
  status: Status,
  store: Type.Object({ status: Status, error: Type.Optional(Type.String()) }),
  pending_evaluations: Type.Optional(PendingEvaluations),
  ingest: Type.Optional(
    Type.Object({
      claims: Type.Object({
        owner: Type.String(),
        held: Count,
        lease_seconds: Type.Union([Type.Number(), Type.Null()]),
      }),
      sources: Type.Array(
        Type.Object({
          source: Type.String(),
          state: Type.Union([Type.Literal('listing'), Type.Literal('waiting'), Type.Literal('receiving')]),
          listed: Count,
          committed: Count,
          failed: Count,
          done_before: Count,
          claimed_elsewhere: Count,
          pending: Type.Integer(),
        }),
      ),
    }),
  ),
});

interface Ping {
  at: number;
  outcome: Promise<string | undefined>;
}

export const healthRoutes: FastifyPluginAsyncTypebox<HealthOptions> = async (app, options) => {
  const { store, sources = {}, now = Date.now } = options;
  let last: Ping | undefined;
  let lastPending: { at: number; outcome: ReturnType<typeof pendingEvaluations> } | undefined;

  /** The store's error as the caller may see it, or undefined when it answered. */
  const ping = (log: FastifyBaseLogger): Promise<string | undefined> => {
    if (last !== undefined && now() - last.at < PING_REUSE_MS) return last.outcome;
    const outcome = store.ping(PING_TIMEOUT_MS).then(
      () => undefined,
      (error: unknown) => {
        log.error({ err: error }, 'store ping failed: /health answers DOWN');
        return /no answer within/.test((error as Error)?.message ?? '')
          ? `no answer within ${PING_TIMEOUT_MS} ms`
          : 'the store failed (the server log has the cause)';
      },
    );
    last = { at: now(), outcome };
    return outcome;
  };

  app.get(
    '/health',
    { schema: { hide: true, response: { 200: HealthSchema, 503: HealthSchema } } },
    async (request, reply) => {
      const error = await ping(request.log);
      const status = error === undefined ? ('UP' as const) : ('DOWN' as const);
      const ingest = sources.ingest?.();
      const claims = store.claimStatus();
      let pending: Awaited<ReturnType<typeof pendingEvaluations>>;
      if (error === undefined) {
        if (lastPending === undefined || now() - lastPending.at >= PING_REUSE_MS)
          lastPending = { at: now(), outcome: pendingEvaluations(store, request.log) };
        pending = await lastPending.outcome;
      }
      const body = {
        status,
        store: error === undefined ? { status } : { status, error },
        ...(pending !== undefined ? { pending_evaluations: pending } : {}),
        ...(ingest !== undefined
          ? {
              ingest: {
                claims: { owner: claims.owner, held: claims.held, lease_seconds: claims.leaseSeconds },
                sources: ingest,
              },
            }
          : {}),
      };
      return reply.code(status === 'UP' ? 200 : 503).send(body);
    },
  );
};

async function pendingEvaluations(
  store: ViolationStore,
  log: FastifyBaseLogger,
): Promise<{ count: number; oldest_age_seconds: number | null } | undefined> {
  try {
    const { count, oldestAgeMs } = await store.pendingEvaluationStatus();
    return { count, oldest_age_seconds: oldestAgeMs === null ? null : Math.floor(oldestAgeMs / 1000) };
  } catch (error) {
    // Whether the store answers is the ping's business; this part is left out when it cannot be counted.
    log.warn({ err: error }, 'health: pending evaluations could not be counted');
    return undefined;
  }
}
