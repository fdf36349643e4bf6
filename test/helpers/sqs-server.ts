/**
 * A small SQS-compatible HTTP server for tests, speaking the AWS JSON 1.0 protocol (`X-Amz-Target: AmazonSQS.*`)
 * that @aws-sdk/client-sqs uses, so the real SDK talks to it over HTTP. No SQS emulator on npm speaks it: sqslite
 * 2.1 answers only the older query protocol (415 to JSON requests). Implements what the source uses, with real
 * long polling and visibility timeouts: SendMessage, ReceiveMessage, DeleteMessage, ChangeMessageVisibility,
 * GetQueueUrl. Every request is logged for assertions.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { text } from 'node:stream/consumers';
import { setTimeout as sleep } from 'node:timers/promises';

interface StoredMessage {
  id: string;
  body: string;
  visibleAt: number;
  receiptHandle?: string;
  receiveCount: number;
}

interface Queue {
  name: string;
  url: string;
  visibilityTimeout: number;
  messages: StoredMessage[];
}

export interface SqsRequest {
  action: string;
  input: Record<string, unknown>;
}

export interface TestSqsServer {
  endpoint: string;
  /** Creates a queue and returns its URL; the default visibility timeout is SQS's 30 s. */
  createQueue(name: string, options?: { visibilityTimeoutSeconds?: number }): string;
  /** Enqueues a body as SendMessage would; returns the message id. */
  send(queueUrl: string, body: string): string;
  /** Messages not yet deleted, in flight or not. */
  stored(queueUrl: string): { id: string; body: string; receiveCount: number; inFlight: boolean }[];
  requests(action?: string): SqsRequest[];
  close(): Promise<void>;
}

class SqsError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

const md5 = (body: string) => createHash('md5').update(body, 'utf8').digest('hex');

export async function startSqsServer(): Promise<TestSqsServer> {
  const queues = new Map<string, Queue>();
  const log: SqsRequest[] = [];
  let closing = false;
  let endpoint = '';

  const queueOf = (input: Record<string, unknown>): Queue => {
    const queue = queues.get(String(input['QueueUrl']));
    if (!queue)
      throw new SqsError('QueueDoesNotExist', `The specified queue does not exist: ${String(input['QueueUrl'])}`);
    return queue;
  };
  const byHandle = (queue: Queue, handle: unknown): StoredMessage => {
    const message = queue.messages.find((m) => m.receiptHandle !== undefined && m.receiptHandle === handle);
    if (!message) throw new SqsError('ReceiptHandleIsInvalid', `The receipt handle "${String(handle)}" is not valid.`);
    return message;
  };
  const enqueue = (queue: Queue, body: string): StoredMessage => {
    const message = { id: randomUUID(), body, visibleAt: 0, receiveCount: 0 };
    queue.messages.push(message);
    return message;
  };

  async function receive(input: Record<string, unknown>, gone: () => boolean): Promise<object> {
    const queue = queueOf(input);
    const max = Number(input['MaxNumberOfMessages'] ?? 1);
    const visibility = Number(input['VisibilityTimeout'] ?? queue.visibilityTimeout);
    const deadline = Date.now() + Number(input['WaitTimeSeconds'] ?? 0) * 1000;
    for (;;) {
      // A client that hung up must not take messages in flight with it.
      if (gone() || closing) return {};
      const now = Date.now();
      const ready = queue.messages.filter((m) => m.visibleAt <= now).slice(0, max);
      if (ready.length > 0 || now >= deadline) {
        const withCount = JSON.stringify(input['MessageSystemAttributeNames'] ?? []).includes(
          'ApproximateReceiveCount',
        );
        return {
          Messages: ready.map((m) => {
            m.visibleAt = now + visibility * 1000;
            m.receiptHandle = randomUUID();
            m.receiveCount += 1;
            return {
              MessageId: m.id,
              ReceiptHandle: m.receiptHandle,
              MD5OfBody: md5(m.body),
              Body: m.body,
              ...(withCount ? { Attributes: { ApproximateReceiveCount: String(m.receiveCount) } } : {}),
            };
          }),
        };
      }
      await sleep(20);
    }
  }

  const actions: Record<string, (input: Record<string, unknown>, gone: () => boolean) => Promise<object> | object> = {
    ReceiveMessage: receive,
    SendMessage: (input) => {
      const message = enqueue(queueOf(input), String(input['MessageBody']));
      return { MessageId: message.id, MD5OfMessageBody: md5(message.body) };
    },
    DeleteMessage: (input) => {
      const queue = queueOf(input);
      const message = byHandle(queue, input['ReceiptHandle']);
      queue.messages.splice(queue.messages.indexOf(message), 1);
      return {};
    },
    ChangeMessageVisibility: (input) => {
      const message = byHandle(queueOf(input), input['ReceiptHandle']);
      if (message.visibleAt <= Date.now()) throw new SqsError('MessageNotInflight', 'The message is not in flight.');
      message.visibleAt = Date.now() + Number(input['VisibilityTimeout']) * 1000;
      return {};
    },
    GetQueueUrl: (input) => {
      const queue = [...queues.values()].find((q) => q.name === input['QueueName']);
      if (!queue) throw new SqsError('QueueDoesNotExist', 'The specified queue does not exist.');
      return { QueueUrl: queue.url };
    },
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const action = String(req.headers['x-amz-target'] ?? '').replace(/^AmazonSQS\./, '');
    let hungUp = false;
    res.on('close', () => (hungUp = true));
    let status = 200;
    let body: object;
    try {
      const input = JSON.parse((await text(req)) || '{}') as Record<string, unknown>;
      log.push({ action, input });
      const run = actions[action];
      if (!run) throw new SqsError('InvalidAction', `The action ${action} is not valid for this endpoint.`);
      body = await run(input, () => hungUp);
    } catch (error) {
      status = 400;
      const type = error instanceof SqsError ? error.type : 'InvalidParameterValue';
      body = { __type: `com.amazonaws.sqs#${type}`, message: (error as Error).message };
      res.setHeader('x-amzn-query-error', `AWS.SimpleQueueService.${type};Sender`);
    }
    if (hungUp) return;
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': randomUUID() });
    res.end(JSON.stringify(body));
  }

  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    endpoint,
    createQueue(name, options = {}) {
      const url = `${endpoint}/000000000000/${name}`;
      queues.set(url, { name, url, visibilityTimeout: options.visibilityTimeoutSeconds ?? 30, messages: [] });
      return url;
    },
    send(queueUrl, body) {
      return enqueue(queueOf({ QueueUrl: queueUrl }), body).id;
    },
    stored(queueUrl) {
      const now = Date.now();
      return queueOf({ QueueUrl: queueUrl }).messages.map((m) => ({
        id: m.id,
        body: m.body,
        receiveCount: m.receiveCount,
        inFlight: m.visibleAt > now,
      }));
    },
    requests(action) {
      return action === undefined ? [...log] : log.filter((r) => r.action === action);
    },
    async close() {
      closing = true;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
