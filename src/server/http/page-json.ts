/**
 * The Spring page envelope around a `content` array that is already JSON, as the store's
 * fast path returns it: the rows are never parsed, and the body leaves as one Buffer.
 */
import type { FastifyReply } from 'fastify';
import type { Page } from '../../shared/violation.js';

/** What fastify sets for the JSON it serialises itself. */
const JSON_TYPE = 'application/json; charset=utf-8';

/** The members after `content`, in PageSchema's order. */
export type PageInfo = Omit<Page<never>, 'content'>;

const CONTENT_OPEN = Buffer.from('{"content":');

/** `{"content":<content>,…info}`: JSON.stringify keeps `info`'s insertion order, which follows the schema. */
export function pageJson(content: readonly Buffer[], info: PageInfo): Buffer {
  const rest = Buffer.from(`,${JSON.stringify(info).slice(1)}`);
  return Buffer.concat([CONTENT_OPEN, ...content, rest]);
}

/** Sends JSON that is already bytes: fastify's serialiser and the response schema are skipped on purpose. */
export function sendJsonBytes(reply: FastifyReply, body: Buffer): FastifyReply {
  return reply.type(JSON_TYPE).send(body);
}
