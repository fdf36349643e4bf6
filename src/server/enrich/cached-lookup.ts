/**
 * The one path every look-up takes: a cache with the original's lifetime (absent answers are cached too),
 * shared in-flight calls (concurrent identical look-ups make one call), bounded concurrency, the system's
 * circuit breaker, and a timeout that aborts the call. Raw errors leave as LookupFailedError.
 */
import { LRUCache } from 'lru-cache';
import type { LimitFunction } from 'p-limit';
import type { Breakers } from './breakers.js';
import { LookupFailedError } from './errors.js';

export interface LookupContext {
  timeoutMs: number;
  limit: LimitFunction;
  breakers: Breakers;
  /** The caches' clock (tests move it to expire entries); default `performance`. */
  clock?: { now(): number } | undefined;
}

export interface LookupSpec<A, V> {
  /** What is asked, for failures: `DescribeImages`, `GET /apps/{id}`. */
  lookup: string;
  /** The system asked (also the circuit breaker's name). */
  system(args: A): string;
  /** Identifies the look-up within the system: the cache key, also named in failures. */
  key(args: A): string;
  ttlMs: number;
  /** Expire after the last access rather than after the write (the original's Guava `expireAfterAccess`). */
  updateAgeOnGet?: boolean;
  max?: number;
  /** The answer, or null when the thing does not exist. Throws on failure; must honour the signal. */
  fetch(args: A, signal: AbortSignal): Promise<V | null>;
  /** Whether a failure of `fetch` can pass when asked again later. */
  retryable(error: unknown): boolean;
}

export interface CachedLookup<A, V> {
  get(args: A): Promise<V | null>;
  clear(): void;
}

function message(error: unknown): string {
  if (error instanceof Error) return `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}`;
  return String(error);
}

export function cachedLookup<A, V>(context: LookupContext, spec: LookupSpec<A, V>): CachedLookup<A, V> {
  async function call(args: A, cacheSignal: AbortSignal): Promise<V | null> {
    const failure = { system: spec.system(args), lookup: spec.lookup, key: spec.key(args) };
    return context.limit(() =>
      context.breakers.fire(failure, async () => {
        // One controller aborted by the timeout or by the cache (AbortSignal.timeout and AbortSignal.any cost
        // several times more, and this runs once per look-up).
        const controller = new AbortController();
        const { signal } = controller;
        let timedOut = false;
        const timer = setTimeout(() => {
          timedOut = true;
          controller.abort(new DOMException(`no answer within ${context.timeoutMs} ms`, 'TimeoutError'));
        }, context.timeoutMs);
        const onCacheAbort = () => controller.abort(cacheSignal.reason);
        cacheSignal.addEventListener('abort', onCacheAbort, { once: true });
        let onAbort: (() => void) | undefined;
        // Also stop waiting for a call that does not honour its signal.
        const aborted = new Promise<never>((_, reject) => {
          onAbort = () => reject(signal.reason);
          signal.addEventListener('abort', onAbort, { once: true });
        });
        try {
          return await Promise.race([spec.fetch(args, signal), aborted]);
        } catch (error) {
          if (error instanceof LookupFailedError) throw error;
          if (timedOut)
            throw new LookupFailedError({ ...failure, retryable: true }, `no answer within ${context.timeoutMs} ms`, {
              cause: error,
            });
          throw new LookupFailedError({ ...failure, retryable: spec.retryable(error) }, message(error), {
            cause: error,
          });
        } finally {
          clearTimeout(timer);
          cacheSignal.removeEventListener('abort', onCacheAbort);
          signal.removeEventListener('abort', onAbort!);
        }
      }),
    );
  }

  const cache = new LRUCache<string, { value: V | null }, { args: A }>({
    max: spec.max ?? 10_000,
    ttl: spec.ttlMs,
    updateAgeOnGet: spec.updateAgeOnGet ?? false,
    ...(context.clock && { perf: context.clock, ttlResolution: 0 }),
    fetchMethod: async (_key, _stale, { signal, context }) => ({ value: await call(context.args, signal) }),
  });

  return {
    async get(args) {
      try {
        const box = await cache.fetch(spec.key(args), { context: { args } });
        return box!.value;
      } catch (error) {
        if (error instanceof LookupFailedError) throw error;
        // The cache dropped the look-up while it ran (evicted by more look-ups at once than it holds entries):
        // asking again later answers.
        const failure = { system: spec.system(args), lookup: spec.lookup, key: spec.key(args), retryable: true };
        throw new LookupFailedError(failure, message(error), { cause: error });
      }
    },
    clear: () => cache.clear(),
  };
}
