import { describe, expect, it } from 'vitest';
import pLimit from 'p-limit';
import { Breakers } from './breakers.js';
import { cachedLookup } from './cached-lookup.js';
import { LookupFailedError } from './errors.js';

const context = () => ({ timeoutMs: 1_000, limit: pLimit(100), breakers: new Breakers() });

describe('cachedLookup', () => {
  it('fails retryable, never as a bug, when more look-ups run at once than the cache holds', async () => {
    const lookup = cachedLookup<number, number>(context(), {
      lookup: 'GET /x',
      system: () => 'x',
      key: (n) => String(n),
      ttlMs: 60_000,
      max: 5,
      fetch: async (n) => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        return n * 2;
      },
      retryable: () => true,
    });
    const outcomes = await Promise.allSettled(Array.from({ length: 20 }, (_, n) => lookup.get(n)));
    const failed = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
    expect(failed.length).toBeGreaterThan(0);
    for (const error of failed) {
      expect(error).toBeInstanceOf(LookupFailedError);
      expect(error).toMatchObject({ system: 'x', lookup: 'GET /x', retryable: true });
    }
    outcomes.forEach((o, n) => o.status === 'fulfilled' && expect(o.value).toBe(n * 2));
  });

  it('times a slow look-up out as retryable and answers the next call', async () => {
    let calls = 0;
    const lookup = cachedLookup<string, string>(
      { ...context(), timeoutMs: 50 },
      {
        lookup: 'GET /slow',
        system: () => 's',
        key: (k) => k,
        ttlMs: 60_000,
        fetch: async (k, signal) => {
          calls += 1;
          if (calls === 1) await new Promise((resolve) => signal.addEventListener('abort', resolve));
          return k;
        },
        retryable: () => false,
      },
    );
    await expect(lookup.get('a')).rejects.toMatchObject({
      retryable: true,
      message: 's GET /slow a: no answer within 50 ms',
    });
    expect(await lookup.get('a')).toBe('a');
  });
});
