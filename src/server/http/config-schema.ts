/**
 * The `http` section of the server config file: limits and headers of the HTTP server. Composed into the config
 * schema.
 */
import { isIP } from 'node:net';
import { Type, type Static } from '@sinclair/typebox';

export const HttpConfigSchema = Type.Object(
  {
    body_limit_bytes: Type.Optional(Type.Integer({ minimum: 1024, maximum: 1024 ** 3 })),
    trust_proxy: Type.Optional(
      Type.Union([Type.Boolean(), Type.Array(Type.String({ minLength: 1 }))], {
        description: 'true or false, or a list of proxy addresses or CIDR ranges',
      }),
    ),
    hsts_max_age_seconds: Type.Optional(Type.Integer({ minimum: 0 })),
    rate_limit: Type.Optional(
      Type.Object(
        {
          max: Type.Integer({ minimum: 1 }),
          window_seconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type HttpConfig = Static<typeof HttpConfigSchema>;

/** What is wrong with a `http.trust_proxy` entry: an address, a CIDR range or a name proxy-addr knows. */
function proxyProblem(entry: string, index: number): string | undefined {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(entry)) return undefined;
  const [address = '', prefix, extra] = entry.split('/');
  const family = isIP(address);
  const bits = family === 4 ? 32 : 128;
  if (
    family === 0 ||
    extra !== undefined ||
    (prefix !== undefined && !(/^\d+$/.test(prefix) && Number(prefix) <= bits))
  )
    return `http.trust_proxy[${index}]: expected an IP address, a CIDR range or loopback, linklocal, uniquelocal; got '${entry}'`;
  return undefined;
}

/** The problems of `http.trust_proxy`'s entries, by key path. */
export function trustProxyProblems(http: HttpConfig | undefined): string[] {
  const trusted = http?.trust_proxy;
  return Array.isArray(trusted) ? trusted.flatMap((entry, i) => proxyProblem(entry, i) ?? []) : [];
}
