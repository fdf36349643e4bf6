/** The `ingest` section of the server config file. Owned by the ingest pipeline; composed into the config schema. */
import { Type, type Static } from '@sinclair/typebox';

export const IngestConfigSchema = Type.Object(
  {
    sources: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'sources ingested continuously by `fullstop server`' })),
  },
  { additionalProperties: false },
);
export type IngestConfig = Static<typeof IngestConfigSchema>;
