/** The rows of `fullstop count`: the server's counts, added up per `--by` group. */
import pLimit from 'p-limit';
import type { CountQuery, FullstopClient } from '../../../client/client.js';
import type { CountGroup } from './index.js';

/** One row; the fields outside the row's group are null (and left out of the machine formats). */
export interface CountRow {
  account: string | null;
  type: string | null;
  application: string | null;
  version: string | null;
  quantity: number;
}

/** The fields each grouping prints, in order; `quantity` always last. */
export const GROUP_KEYS: Record<CountGroup | 'default', Array<keyof CountRow>> = {
  default: ['account', 'type', 'quantity'],
  account: ['account', 'quantity'],
  type: ['type', 'quantity'],
  application: ['account', 'application', 'version', 'quantity'],
};

const row = (fields: Partial<CountRow> & { quantity: number }): CountRow => ({
  account: null,
  type: null,
  application: null,
  version: null,
  ...fields,
});

/** Adds up rows with the same group key; the largest first, ties in key order. */
function addUp(rows: CountRow[], keys: Array<keyof CountRow>): CountRow[] {
  const sums = new Map<string, CountRow>();
  for (const r of rows) {
    const key = JSON.stringify(keys.map((k) => r[k]));
    const sum = sums.get(key);
    if (sum) sum.quantity += r.quantity;
    else sums.set(key, row({ ...Object.fromEntries(keys.map((k) => [k, r[k]])), quantity: r.quantity }));
  }
  return [...sums.entries()]
    .sort(([ka, a], [kb, b]) => b.quantity - a.quantity || (ka < kb ? -1 : ka > kb ? 1 : 0))
    .map(([, r]) => r);
}

export interface CountRequest {
  by: CountGroup | undefined;
  /** Empty: every account. */
  accounts: string[];
  query: Omit<CountQuery, 'accounts'>;
}

/** Asks the server for the counts `request` needs and groups them. */
export async function collectCounts(client: FullstopClient, request: CountRequest): Promise<CountRow[]> {
  const { by, accounts, query } = request;
  if (by === 'application') {
    // The per-account count is the only one that knows applications; without accounts, ask which have any.
    const targets =
      accounts.length > 0
        ? accounts
        : [...new Set((await client.countByAccountAndType(query)).map((r) => r.account))].sort();
    const limit = pLimit(4);
    const perAccount = await Promise.all(
      targets.map((account) =>
        limit(async () => (await client.countByAppVersionAndType(account, query)).map((r) => row({ account, ...r }))),
      ),
    );
    return addUp(perAccount.flat(), GROUP_KEYS.application.slice(0, -1));
  }
  const counts = (await client.countByAccountAndType({ ...query, accounts })).map((r) => row(r));
  return by === undefined ? counts : addUp(counts, GROUP_KEYS[by].slice(0, -1));
}
