import { spawn, spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { deadLocalClaimant, pendingClaimant } from './claims.js';

describe('deadLocalClaimant', () => {
  it('tells a claimant of this host whose process is gone', () => {
    const { pid } = spawnSync(process.execPath, ['-e', '']);
    expect(deadLocalClaimant(`${hostname()}:${pid}:lx1:1`)).toBe(true);
  });

  it('is false when unsure: this process, a live one, another host, another form', async () => {
    expect(deadLocalClaimant(pendingClaimant())).toBe(false);
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10000)']);
    try {
      expect(deadLocalClaimant(`${hostname()}:${child.pid}:lx1:1`)).toBe(false);
    } finally {
      child.kill();
    }
    const { pid } = spawnSync(process.execPath, ['-e', '']);
    expect(deadLocalClaimant(`another-${hostname()}:${pid}:lx1:1`)).toBe(false);
    expect(deadLocalClaimant(`${hostname()}/${pid}/abcd`)).toBe(false);
    expect(deadLocalClaimant('a')).toBe(false);
    expect(deadLocalClaimant(`${hostname()}:0:lx1:1`)).toBe(false);
  });
});
