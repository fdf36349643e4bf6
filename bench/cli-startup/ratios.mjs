// Prints each command's median wall time from a hyperfine --export-json file as a ratio to the first command
// (the `node -e 0` baseline), with the targets of issue 2, plus mean CPU time (user + system), which moves
// less than wall time when other work shares the machine.
import { readFileSync } from 'node:fs';

const TARGETS = { 'fullstop --version': 1.3, 'fullstop list-violations --help': 1.5 };

const { results } = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const [baseline] = results;
const cpu = (r) => r.user + r.system;
const rows = [['command', 'median', 'ratio', 'cpu', 'cpu ratio', 'target']];
for (const r of results) {
  const ratio = r.median / baseline.median;
  const target = TARGETS[r.command];
  rows.push([
    r.command,
    `${(r.median * 1000).toFixed(1)} ms`,
    `${ratio.toFixed(2)}×`,
    `${(cpu(r) * 1000).toFixed(1)} ms`,
    `${(cpu(r) / cpu(baseline)).toFixed(2)}×`,
    target === undefined ? '' : `≤ ${target}×: ${ratio <= target ? 'met' : 'NOT met'}`,
  ]);
}
const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
console.log(`${baseline.times.length} runs each; ratios to "${baseline.command}"`);
for (const row of rows)
  console.log(
    row
      .map((cell, i) => cell.padEnd(widths[i]))
      .join('  ')
      .trimEnd(),
  );
