/**
 * Every error leaves the server as `{status, error, message, path}`: 4xx messages pass through and name the bad
 * parameter; 5xx bodies say only what the client can act on and the details go to the log. A store outage is 503
 * when nothing was done (any read; a write the store refused or never got), and 502 for a write whose connection
 * broke under it (it may have been applied): clients resend after a 503 but must not blindly resend after a 502.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiErrorBody } from '../../shared/violation.js';
import { HttpError } from './errors.js';
import { StoreUnavailableError } from '../store/outage.js';
import { StoreWriteError } from '../store/store-errors.js';
import { BOOL_PATTERN, DATE_TIME_PATTERN } from './params.js';

const LOCATIONS: Record<string, string> = {
  querystring: 'query parameter',
  params: 'path parameter',
  body: 'body',
  headers: 'header',
};

/** Fastify's schema errors, rephrased to name the parameter: `query parameter 'size': must be integer`. */
function validationMessage(error: FastifyError): string {
  const where = LOCATIONS[error.validationContext ?? ''] ?? 'request';
  const issues = error.validation ?? [];
  // A nullable field (`anyOf: [T, null]`) adds "must be null" and "must match a schema in anyOf" to what T said.
  const isNullableNoise = (issue: (typeof issues)[number]) =>
    (issue.keyword === 'anyOf' || (issue.keyword === 'type' && issue.params.type === 'null')) &&
    issues.some((other) => other !== issue && other.instancePath === issue.instancePath && other.keyword !== 'anyOf');
  return issues
    .filter((issue) => !isNullableNoise(issue))
    .map((issue) => {
      const missing = (issue.params as { missingProperty?: string }).missingProperty;
      const field = [issue.instancePath.replace(/^\//, '').replace(/\//g, '.'), missing].filter(Boolean).join('.');
      const pattern = (issue.params as { pattern?: string }).pattern;
      const message =
        missing !== undefined
          ? 'is required'
          : pattern === BOOL_PATTERN
            ? 'must be true or false'
            : pattern === DATE_TIME_PATTERN
              ? 'must be an ISO-8601 date-time such as 2015-04-14T19:09:01.000Z'
              : (issue.message ?? 'is invalid');
      if (where === 'body') return field === '' ? `body ${message}` : `body field '${field}' ${message}`;
      return `${where} '${field.replace(/\.\d+$/, '')}' ${message}`;
    })
    .join('; ');
}

function body(status: number, message: string, request: FastifyRequest): ApiErrorBody {
  return { status, error: STATUS_CODES[status] ?? 'Error', message, path: request.url.split('?')[0] ?? request.url };
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof HttpError) {
      // A dependency failed (token info, team service): the client learns which, the log learns why.
      if (error.statusCode >= 500) request.log.error({ err: error }, error.message);
      return reply
        .code(error.statusCode)
        .headers(error.headers)
        .send(body(error.statusCode, error.message, request));
    }
    if (error instanceof StoreUnavailableError) return storeOutage(error, request, reply);
    if (error instanceof StoreWriteError) return storeOutage(new StoreUnavailableError(error, false), request, reply);
    if (error.validation) return reply.code(400).send(body(400, validationMessage(error), request));
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      const type = request.headers['content-type'];
      const message = `Content-Type ${type === undefined ? '(none)' : `'${type}'`} is not supported: send application/json`;
      return reply.code(415).send(body(415, message, request));
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) return reply.code(status).send(body(status, error.message, request));
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send(body(500, 'Internal Server Error', request));
  });
  app.setNotFoundHandler(notFound);
}

/** When a client may try again after a store outage: long enough for a lock or a restart to pass. */
const STORE_RETRY_AFTER_SECONDS = 5;

function storeOutage(error: StoreUnavailableError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  request.log.error({ err: error }, 'store unavailable');
  const safe = request.method === 'GET' || request.method === 'HEAD';
  if (safe || !error.maybeApplied) {
    const message = `the store is unavailable${safe ? '' : ' and nothing was changed'}: try again later`;
    return reply
      .code(503)
      .header('retry-after', String(STORE_RETRY_AFTER_SECONDS))
      .send(body(503, message, request));
  }
  const message =
    'the connection to the store broke during the request: the change may or may not have been applied; check before sending it again';
  return reply.code(502).send(body(502, message, request));
}

/** 404 for a path no route serves; set again inside the API plugin so that its token check runs first. */
export function notFound(request: FastifyRequest, reply: FastifyReply): void {
  reply.code(404).send(body(404, `no route for ${request.method} ${request.url.split('?')[0]}`, request));
}

/**
 * Errors fastify meets before any route or hook (a bad percent-encoding in the path, an overlong path
 * parameter): the same JSON error body instead of fastify's own shape.
 */
export function frameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const status = error.statusCode !== undefined && error.statusCode < 500 ? error.statusCode : 400;
  const message =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'a path parameter is too long' : 'the path is not a valid URL';
  reply.code(status).send(body(status, message, request));
}

/** What Node's HTTP parser refuses (a malformed request, oversized headers, a timeout), as JSON on the socket. */
export function clientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const status = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
  const message =
    status === 408
      ? 'the request took too long to arrive'
      : status === 431
        ? 'the request headers are too large'
        : `malformed HTTP request${error.code ? ` (${error.code})` : ''}`;
  const reason = STATUS_CODES[status] ?? 'Error';
  const json = JSON.stringify({ status, error: reason, message, path: '' } satisfies ApiErrorBody);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json}`,
    );
  }
  socket.destroy();
}
