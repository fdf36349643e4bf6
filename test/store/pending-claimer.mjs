// A retrier that claims pending evaluations and is then killed: opens the store (the built one) at DB_URL, claims
// the due rows for five minutes as `fullstop server` or `fullstop ingest` does before retrying them, prints
// "claimed N" and waits, holding its claims, until the test kills it.
//
//   node test/store/pending-claimer.mjs DB_URL
import { openStore } from '../../dist/src/server/store/open-store.js';
import { pendingClaimant } from '../../dist/src/server/store/claims.js';

const store = await openStore(process.argv[2]);
const rows = await store.claimPendingEvaluations({
  claimant: pendingClaimant(),
  limit: 100,
  leaseMs: 5 * 60_000,
  configFingerprint: 'config-1',
});
process.stdout.write(`claimed ${rows.length}\n`);
setInterval(() => {}, 60_000);
