// Holds the write lock of a SQLite file for as long as the test wants, as a backup tool or an `sqlite3` shell left
// inside BEGIN EXCLUSIVE would: prints "locked" once it holds the lock, and on a line "release" on stdin (or when
// stdin closes) rolls back, prints "released" and exits.
//
//   node test/reliability/lock-holder.mjs DB_PATH
import Database from 'better-sqlite3';
import { createInterface } from 'node:readline';

const db = new Database(process.argv[2]);
db.pragma('busy_timeout = 5000');
db.exec('BEGIN EXCLUSIVE');
process.stdout.write('locked\n');
let released = false;
const release = () => {
  if (released) return;
  released = true;
  db.exec('ROLLBACK');
  db.close();
  process.stdout.write('released\n');
};
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => line.trim() === 'release' && release());
lines.on('close', release);
