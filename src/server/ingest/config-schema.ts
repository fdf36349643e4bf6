/** The `ingest` section of the server config file. Owned by the ingest pipeline; composed into the config schema. */
import { Type, type Static } from '@sinclair/typebox';

export const IngestConfigSchema = Type.Object(
  {
    sources: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), { description: 'sources ingested continuously by `fullstop server`' }),
    ),
    poll_interval_seconds: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 86_400,
        description: 'how often folders and S3 prefixes are listed again for new files (default 60)',
      }),
    ),
    full_listing_interval_seconds: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 30 * 86_400,
        description:
          'how often a poll lists folders and S3 prefixes whole instead of only what may be new (default 21600, 6 h)',
      }),
    ),
    lease_seconds: Type.Optional(
      Type.Integer({
        minimum: 2,
        maximum: 3600,
        description:
          'PostgreSQL: how long a replica keeps a claimed file unless it renews the claim (default 60); a replica whose database sessions end (a killed process) loses its files at once, one that hangs or loses its host after this long',
      }),
    ),
  },
  { additionalProperties: false },
);
export type IngestConfig = Static<typeof IngestConfigSchema>;
