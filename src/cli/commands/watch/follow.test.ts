import { describe, expect, it } from 'vitest';
import type { FullstopClient, ViolationQuery } from '../../../client/client.js';
import type { Violation } from '../../../shared/violation.js';
import { follow } from './follow.js';

/** A store whose violations become visible when the test says so, answering `last-violation` as the server does (newest first unless asked otherwise). */
function fakeClient(visible: number[]) {
  const asked: number[] = [];
  const client = {
    listViolations: async (query: ViolationQuery) => {
      const from = query['last-violation'];
      if (from !== undefined) asked.push(from);
      const ids = [...visible].sort((a, b) => (query.sort === 'id,ASC' ? a - b : b - a));
      const content = ids
        .filter((id) => from === undefined || id >= from)
        .slice(0, query.size ?? 20)
        .map((id) => ({ id }) as Violation);
      return { content };
    },
  } as unknown as FullstopClient;
  return { client, asked };
}

async function watchWhile(
  visible: number[],
  settleMs: number,
  steps: Array<() => void>,
): Promise<{ printed: number[]; asked: number[] }> {
  const { client, asked } = fakeClient(visible);
  const printed: number[] = [];
  const stop = new AbortController();
  let polls = 0;
  const original = client.listViolations.bind(client);
  client.listViolations = async (query) => {
    const answer = await original(query);
    polls++;
    return answer;
  };
  const running = follow({
    client,
    query: {},
    intervalMs: 100,
    settleMs,
    signal: stop.signal,
    onViolation: (v) => printed.push(v.id),
    onNote: () => {},
  });
  for (const step of steps) {
    const after = polls;
    step();
    while (polls < after + 2) await new Promise((resolve) => setTimeout(resolve, 10));
  }
  stop.abort();
  await running;
  return { printed, asked };
}

describe('watch: ids that become visible out of order', () => {
  it('prints a lower id committed after a higher one, once', async () => {
    const visible = [1, 2, 3];
    const { printed, asked } = await watchWhile(visible, 60_000, [
      () => {},
      () => visible.push(5, 7),
      () => visible.push(4, 6),
      () => {},
    ]);
    expect(printed).toEqual([5, 7, 4, 6]);
    expect(new Set(asked)).toEqual(new Set([4]));
  });

  it('moves the re-read window on once the settle time has passed', async () => {
    const visible = [1, 2, 3];
    const { printed, asked } = await watchWhile(visible, 0, [() => visible.push(5), () => visible.push(8), () => {}]);
    expect(printed).toEqual([5, 8]);
    expect(asked.at(-1)).toBe(9);
  });
});
