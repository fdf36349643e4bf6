// Starts a built `fullstop server` on a free port and resolves with the process and the URL it logs at start-up.
// Its JSON log lines are read (for the URL) and dropped, so request logging costs what it costs in production.
import { spawn } from 'node:child_process';

export function startServer({ bin, args, cwd }) {
  const server = spawn(process.execPath, [bin, 'server', '--port', '0', ...args], {
    cwd,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = new Promise((resolve, reject) => {
    server.on('exit', (code) => reject(new Error(`server exited ${code}`)));
    let buffer = '';
    server.stdout.on('data', (chunk) => {
      buffer += chunk;
      const match = /"url":"(http:[^"]+)"/.exec(buffer);
      if (match) resolve(match[1]);
      if (buffer.length > 65536) buffer = '';
    });
  });
  return { server, url };
}
