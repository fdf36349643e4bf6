import { describe, expect, it } from 'vitest';
import {
  configDir,
  legacyConfigPath,
  resolveSettings,
  type Env,
  type FileSettings,
  type FlagSettings,
} from './settings.js';
import { UsageError } from './errors.js';

const A = '123456789012';
const B = '210987654321';

describe('resolveSettings: flag > environment > file > default', () => {
  const cases: Array<[string, FlagSettings, Env, FileSettings, Partial<ReturnType<typeof resolveSettings>>]> = [
    [
      'nothing anywhere',
      {},
      {},
      {},
      { url: undefined, accounts: [], token: undefined, tokenCommand: undefined, timeoutMs: 30_000 },
    ],
    [
      'file only',
      {},
      {},
      { url: 'https://f.example.org/', accounts: [A] },
      { url: 'https://f.example.org', accounts: [A] },
    ],
    [
      'env beats file',
      {},
      { FULLSTOP_URL: 'https://e.example.org', FULLSTOP_ACCOUNTS: `${B}, ${A}` },
      { url: 'https://f.example.org', accounts: [A] },
      { url: 'https://e.example.org', accounts: [B, A] },
    ],
    ['flag beats env', { accounts: [A] }, { FULLSTOP_ACCOUNTS: B }, { accounts: [B] }, { accounts: [A] }],
    [
      'blank env is unset',
      {},
      { FULLSTOP_URL: ' ', FULLSTOP_ACCOUNTS: '' },
      { url: 'https://f.example.org', accounts: [A] },
      { url: 'https://f.example.org', accounts: [A] },
    ],
    [
      '--token beats FULLSTOP_TOKEN and commands',
      { token: 'flag' },
      { FULLSTOP_TOKEN: 'env', FULLSTOP_TOKEN_COMMAND: 'x' },
      { token_command: 'y' },
      { token: 'flag', tokenCommand: undefined },
    ],
    [
      'FULLSTOP_TOKEN beats commands',
      {},
      { FULLSTOP_TOKEN: 'env', FULLSTOP_TOKEN_COMMAND: 'x' },
      { token_command: 'y' },
      { token: 'env', tokenCommand: undefined },
    ],
    [
      'env command beats file command',
      {},
      { FULLSTOP_TOKEN_COMMAND: 'x' },
      { token_command: 'y' },
      { token: undefined, tokenCommand: 'x' },
    ],
    ['file command', {}, {}, { token_command: 'zign token -n fullstop' }, { tokenCommand: 'zign token -n fullstop' }],
    ['--timeout in seconds', { timeout: 5 }, {}, {}, { timeoutMs: 5000 }],
    ['FULLSTOP_TIMEOUT in seconds', {}, { FULLSTOP_TIMEOUT: '7' }, {}, { timeoutMs: 7000 }],
    ['--timeout beats FULLSTOP_TIMEOUT', { timeout: 5 }, { FULLSTOP_TIMEOUT: '7' }, {}, { timeoutMs: 5000 }],
  ];
  it.each(cases)('%s', (_name, flags, env, file, expected) => {
    expect(resolveSettings({ flags, env, file })).toMatchObject(expected);
  });

  it.each(['0', '1.5', 'ten', '3601'])('refuses FULLSTOP_TIMEOUT=%s as a usage error', (value) => {
    expect(() => resolveSettings({ flags: {}, env: { FULLSTOP_TIMEOUT: value }, file: {} })).toThrow(
      new UsageError(`FULLSTOP_TIMEOUT: expected whole seconds from 1 to 3600, got "${value}"`),
    );
  });

  it('records where each value came from', () => {
    const settings = resolveSettings({
      flags: {},
      env: { FULLSTOP_TOKEN: 't', FULLSTOP_URL: 'http://x' },
      file: { accounts: [A] },
    });
    expect(settings.sources).toEqual({ url: 'env', accounts: 'file', token: 'env' });
  });

  it('rejects malformed environment values with the variable name', () => {
    expect(() => resolveSettings({ flags: {}, env: { FULLSTOP_URL: 'fullstop.example.org' }, file: {} })).toThrow(
      'FULLSTOP_URL: not a URL: fullstop.example.org',
    );
    expect(() => resolveSettings({ flags: {}, env: { FULLSTOP_ACCOUNTS: '42' }, file: {} })).toThrow(
      'FULLSTOP_ACCOUNTS: not a 12-digit AWS account id: 42',
    );
  });
});

describe('config paths', () => {
  it.each([
    [{ FULLSTOP_CONFIG_DIR: '/c' }, '/c'],
    [{ XDG_CONFIG_HOME: '/x' }, '/x/fullstop'],
    [{}, '/home/u/.config/fullstop'],
  ])('%j → %s', (env, dir) => {
    expect(configDir(env, '/home/u')).toBe(dir);
  });

  it('finds the legacy YAML where click put it', () => {
    expect(legacyConfigPath({}, '/home/u')).toBe('/home/u/.config/fullstop/fullstop.yaml');
    expect(legacyConfigPath({ XDG_CONFIG_HOME: '/x' }, '/home/u')).toBe('/x/fullstop/fullstop.yaml');
  });
});
