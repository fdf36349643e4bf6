/**
 * Runs the built `fullstop` as a child process and measures it: peak resident memory (the kernel's high-water mark,
 * worker threads included), wall-clock and CPU time. /usr/bin/time reports the exact peak when it is installed;
 * without it the child's /proc/PID/status is sampled every 10 ms (VmHWM only grows, so a sample misses at most
 * what the last 10 ms added).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BINARY = fileURLToPath(new URL('../../dist/bin/fullstop.js', import.meta.url));
const TIME = '/usr/bin/time';

export interface Measured {
  code: number | null;
  stdout: string;
  stderr: string;
  peakRssMb: number;
  wallSeconds: number;
  cpuSeconds: number;
  /** How the peak was taken: "time" or "proc". */
  method: string;
}

function highWaterMarkKb(pid: number): number | undefined {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

export async function runMeasured(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Measured> {
  if (!existsSync(BINARY)) throw new Error(`${BINARY} is missing: run \`npm run build\` first (npm test does)`);
  const useTime = existsSync(TIME);
  const dir = mkdtempSync(join(tmpdir(), 'fullstop-measure-'));
  const report = join(dir, 'time.txt');
  const node = [process.execPath, BINARY, ...args];
  const [command, ...rest] = useTime ? [TIME, '-f', '%M %U %S', '-o', report, ...node] : node;
  const started = performance.now();
  const child = spawn(command!, rest, {
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let sampledKb = 0;
  const sampler = useTime
    ? undefined
    : setInterval(() => (sampledKb = Math.max(sampledKb, highWaterMarkKb(child.pid!) ?? 0)), 10);
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  clearInterval(sampler);
  const wallSeconds = (performance.now() - started) / 1000;
  let peakKb = sampledKb;
  let cpuSeconds = Number.NaN;
  if (useTime) {
    const [kb, user, system] = readFileSync(report, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
    peakKb = kb!;
    cpuSeconds = user! + system!;
  }
  rmSync(dir, { recursive: true, force: true });
  return { code, stdout, stderr, peakRssMb: peakKb / 1024, wallSeconds, cpuSeconds, method: useTime ? 'time' : 'proc' };
}
