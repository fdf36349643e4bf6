// A second process writing to a fullstop SQLite file, as `fullstop server` does when someone resolves a
// violation: its own connection, one small commit after another, until it gets SIGTERM. It prints the number of
// commits on exit, and "ready" once it is writing.
//
//   node test/helpers/sqlite-writer.mjs DB_PATH VIOLATION_ID
import Database from 'better-sqlite3';

const [path, id] = process.argv.slice(2);
const db = new Database(path);
db.pragma('busy_timeout = 5000');
const resolve = db.prepare(
  'UPDATE violation SET comment = ?, last_modified = ?, last_modified_by = ?, version = version + 1 WHERE id = ?',
);
let commits = 0;
let stopping = false;
process.on('SIGTERM', () => (stopping = true));
process.stdout.write('ready\n');
// Commits in bursts, yielding to the event loop between them so SIGTERM is seen.
function burst() {
  if (stopping) {
    db.close();
    process.stdout.write(`${commits}\n`);
    return;
  }
  for (let i = 0; i < 50; i += 1) {
    resolve.run(`resolved ${commits}`, Date.now(), 'writer', Number(id));
    commits += 1;
  }
  setImmediate(burst);
}
burst();
