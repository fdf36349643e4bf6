import { describe, it, expect, afterEach } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveServerOptions, validateConfig, loadConfigFile, defaultDbUrl } from '../../src/server/config.js';

const dirs: string[] = [];
function configFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'fullstop-config-'));
  dirs.push(dir);
  const path = join(dir, 'server.yaml');
  writeFileSync(path, text);
  return path;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('server config file', () => {
  it('accepts a complete file', () => {
    const path = configFile(`
port: 9000
auth:
  tokeninfo_url: https://auth.example.com/oauth2/tokeninfo
  team_service_url: https://teams.example.com
  tokens:
    - { token: s3cret, uid: alice, scopes: [uid, fullstop.violation.write], accounts: "*", teams: [stups] }
    - { token: other, uid: bob, accounts: ["123456789012"] }
whitelist:
  allowed_teams: [stups, security]
ingest:
  sources: [file:///var/log/cloudtrail]
`);
    const config = loadConfigFile(path);
    expect(config.auth?.tokens?.[0]).toMatchObject({ uid: 'alice', accounts: '*' });
    expect(config.whitelist?.allowed_teams).toEqual(['stups', 'security']);
  });

  it('names the path of every unknown or mistyped key', () => {
    expect(() => validateConfig({ auth: { tokens: [{ token: 't', uid: 'u', scopes: 'uid' }] } }, 'x.yaml')).toThrow(
      'auth.tokens[0].scopes: expected array',
    );
    expect(() => validateConfig({ auth: { tokenInfoUrl: 'x' } }, 'x.yaml')).toThrow('auth.tokenInfoUrl: unknown key');
    expect(() => validateConfig({ whitelist: { allowed_teams: [1] } }, 'x.yaml')).toThrow(
      'whitelist.allowed_teams[0]: expected string',
    );
    expect(() => validateConfig({ auth: { tokens: [{ token: 't', uid: 'u', accounts: 'all' }] } }, 'x.yaml')).toThrow(
      'auth.tokens[0].accounts: expected "*" or a list of account ids',
    );
    expect(() => validateConfig({ port: 'eighty' }, 'x.yaml')).toThrow('port: expected integer');
    expect(() => validateConfig({ surprise: true }, 'x.yaml')).toThrow('surprise: unknown key');
    expect(() => validateConfig({ ingest: { sorces: [] } }, 'x.yaml')).toThrow('ingest.sorces: unknown key');
  });

  it('checks account ids of static tokens and points ["*"] to accounts: "*"', () => {
    const tokens = (accounts: unknown) => ({ auth: { tokens: [{ token: 't', uid: 'u', accounts }] } });
    expect(() => validateConfig(tokens(['*']), 'x.yaml')).toThrow(
      'auth.tokens[0].accounts[0]: an account named "*" in a list; for every account write accounts: "*" (no list)',
    );
    const problems = () => validateConfig(tokens(['123456789012', 'prod', 12345678901, '1234567890123']), 'x.yaml');
    expect(problems).toThrow('auth.tokens[0].accounts[1]: expected a 12-digit AWS account id, got "prod"');
    expect(problems).toThrow(
      'auth.tokens[0].accounts[2]: expected a 12-digit AWS account id in quotes, got the number 12345678901 (YAML drops leading zeros)',
    );
    expect(problems).toThrow('auth.tokens[0].accounts[3]: expected a 12-digit AWS account id, got "1234567890123"');
    expect(() => validateConfig(tokens(['123456789012']), 'x.yaml')).not.toThrow();
    expect(() => validateConfig(tokens('*'), 'x.yaml')).not.toThrow();
    const path = configFile('auth:\n  tokens:\n    - { token: t, uid: u, accounts: [012345678901] }\n');
    expect(() => loadConfigFile(path)).toThrow(
      /auth\.tokens\[0\]\.accounts\[0\]: expected a 12-digit AWS account id in quotes/,
    );
  });

  it('reads cors.allowed_origins: origins without a path, or *', () => {
    expect(
      validateConfig({ cors: { allowed_origins: ['https://ui.example.com', 'http://localhost:3000', '*'] } }, 'x'),
    ).toEqual({
      cors: { allowed_origins: ['https://ui.example.com', 'http://localhost:3000', '*'] },
    });
    expect(() => validateConfig({ cors: { allowed_origins: ['https://ui.example.com/app'] } }, 'x.yaml')).toThrow(
      'cors.allowed_origins[0]: expected an origin such as https://fullstop.example.com (scheme, host, port; no path) or *',
    );
    expect(() => validateConfig({ cors: { allowed_origins: 'https://ui.example.com' } }, 'x.yaml')).toThrow(
      'cors.allowed_origins: expected array',
    );
    expect(() => validateConfig({ cors: { origins: [] } }, 'x.yaml')).toThrow('cors.origins: unknown key');
  });

  it('reports unreadable files and YAML syntax errors', () => {
    expect(() => loadConfigFile('/nonexistent/server.yaml')).toThrow(/cannot read config file .*ENOENT/);
    expect(() => loadConfigFile(configFile('auth: [unclosed'))).toThrow(/invalid YAML/);
    expect(loadConfigFile(configFile(''))).toEqual({});
  });
});

describe('resolveServerOptions', () => {
  it('uses flags over env over file over defaults', () => {
    const path = configFile('host: 0.0.0.0\nport: 9000\ndb: sqlite:/from/file.db\n');
    expect(resolveServerOptions({}, { HOME: '/home/u' })).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      db: 'sqlite:/home/u/.local/share/fullstop/fullstop.db',
      noAuth: false,
    });
    expect(resolveServerOptions({}, { FULLSTOP_SERVER_CONFIG: path })).toMatchObject({
      host: '0.0.0.0',
      port: 9000,
      db: 'sqlite:/from/file.db',
    });
    const env = {
      FULLSTOP_SERVER_CONFIG: path,
      FULLSTOP_SERVER_HOST: '::1',
      FULLSTOP_SERVER_PORT: '7000',
      FULLSTOP_DB: 'sqlite::memory:',
    };
    expect(resolveServerOptions({}, env)).toMatchObject({ host: '::1', port: 7000, db: 'sqlite::memory:' });
    expect(resolveServerOptions({ host: 'localhost', port: '0', db: 'sqlite:/x.db', auth: false }, env)).toMatchObject({
      host: 'localhost',
      port: 0,
      db: 'sqlite:/x.db',
      noAuth: true,
    });
  });

  it('honours XDG_DATA_HOME and rejects bad ports', () => {
    expect(defaultDbUrl({ XDG_DATA_HOME: '/data' })).toBe('sqlite:/data/fullstop/fullstop.db');
    expect(() => resolveServerOptions({ port: '80a' }, {})).toThrow(
      "--port: expected a port number 0-65535, got '80a'",
    );
    expect(() => resolveServerOptions({}, { FULLSTOP_SERVER_PORT: '70000' })).toThrow(/FULLSTOP_SERVER_PORT/);
  });

  it('reads the limits and headers of the http section, and names what is wrong there', () => {
    const path = configFile(`
auth:
  negative_cache_seconds: 10
http:
  body_limit_bytes: 65536
  trust_proxy: [10.0.0.0/8, "::1", loopback]
  hsts_max_age_seconds: 31536000
  rate_limit: { max: 600, window_seconds: 60 }
`);
    expect(loadConfigFile(path).http).toEqual({
      body_limit_bytes: 65536,
      trust_proxy: ['10.0.0.0/8', '::1', 'loopback'],
      hsts_max_age_seconds: 31536000,
      rate_limit: { max: 600, window_seconds: 60 },
    });
    expect(() => validateConfig({ http: { trust_proxy: ['10.0.0.0/33', 'proxy.example.com'] } }, 'x.yaml')).toThrow(
      "http.trust_proxy[0]: expected an IP address, a CIDR range or loopback, linklocal, uniquelocal; got '10.0.0.0/33'\n" +
        "  http.trust_proxy[1]: expected an IP address, a CIDR range or loopback, linklocal, uniquelocal; got 'proxy.example.com'",
    );
    expect(() => validateConfig({ http: { trust_proxy: 2 } }, 'x.yaml')).toThrow(
      'http.trust_proxy: expected true or false, or a list of proxy addresses or CIDR ranges',
    );
    expect(() => validateConfig({ http: { rate_limit: { window_seconds: 60 } } }, 'x.yaml')).toThrow(
      'http.rate_limit.max: expected required property',
    );
    expect(() => validateConfig({ http: { body_limit: 1 } }, 'x.yaml')).toThrow('http.body_limit: unknown key');
    expect(() => validateConfig({ http: { body_limit_bytes: 10 } }, 'x.yaml')).toThrow('http.body_limit_bytes');
  });
});
