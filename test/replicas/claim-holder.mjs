// A replica that claims files and is then killed: opens the store (the built one) at DB_URL, claims the objects
// given as JSON ([{key, fingerprint}]) of SOURCE as a replica does before reading them, prints "claimed N" and
// waits, holding its leases, until the test kills it.
//
//   node test/replicas/claim-holder.mjs DB_URL SOURCE OBJECTS_JSON
import { openStore } from '../../dist/src/server/store/open-store.js';

const [url, source, objects] = process.argv.slice(2);
const store = await openStore(url);
const { claimed } = await store.claimObjects(source, JSON.parse(objects));
process.stdout.write(`claimed ${claimed.size}\n`);
setInterval(() => {}, 60_000);
