/**
 * The access log: fastify writes two lines per request (incoming, completed), serialising the request twice;
 * this writes one, once the answer is sent, with what both said. Tokens never reach it: no headers and no
 * bodies are logged, and a token that a client put in the query string (`access_token=`, `token=`) is masked.
 */
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

const QUERY_TOKEN = /([?&](?:access_token|token)=)[^&#]*/gi;

/** The URL as logged: query tokens masked. */
export const loggedUrl = (url: string) => url.replace(QUERY_TOKEN, '$1***');

export class AccessLog extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    const line = {
      method: request.method,
      url: loggedUrl(request.url),
      remoteAddress: request.ip,
      statusCode: reply.statusCode,
      responseTime: reply.elapsedTime,
    };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else reply.log.info(line, 'request completed');
  }
}
