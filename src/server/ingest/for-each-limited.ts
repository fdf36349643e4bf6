/** Bounded concurrency over async iterables, pulling items only as they can start. */
import pLimit from 'p-limit';

/** `items` in arrays of `size` (the last one shorter). */
export async function* chunks<T>(items: AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  let chunk: T[] = [];
  for await (const item of items) {
    chunk.push(item);
    if (chunk.length >= size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}

/**
 * Runs `task` for each item, `concurrency` at a time, pulling the next item only when one can start (a listing of
 * millions of keys is never held in memory). The first rejection stops the run once the running tasks settled.
 */
export async function forEachLimited<T>(
  items: AsyncIterable<T>,
  concurrency: number,
  task: (item: T) => Promise<unknown>,
  signal?: AbortSignal,
) {
  const limit = pLimit({ concurrency, rejectOnClear: true });
  /** Unsettled tasks, oldest first. */
  const unsettled = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  try {
    for await (const item of items) {
      if (signal?.aborted || failure !== undefined) break;
      const settled: Promise<void> = limit(task, item)
        .then(
          () => undefined,
          (error: unknown) => {
            failure ??= { error };
            limit.clearQueue();
          },
        )
        .finally(() => unsettled.delete(settled));
      unsettled.add(settled);
      // Tasks start in order, so the oldest unsettled one is running: wait for it while another one is queued.
      while (limit.pendingCount > 0) await unsettled.values().next().value;
    }
  } finally {
    // Nothing may still write to the store after the run returns (the caller closes it).
    await Promise.all(unsettled);
  }
  if (failure !== undefined) throw failure.error;
}
