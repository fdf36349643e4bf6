/**
 * Keeps an SQS message invisible while any of its files is being read: on the first open stream, and then every
 * half timeout while one is open, it resets the message's visibility timeout. When no stream is open the
 * extensions stop, so a message whose processing failed becomes visible again within one timeout.
 */
import { finished, type Readable } from 'node:stream';
import { ChangeMessageVisibilityCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { SourceObject } from './source.js';

export class VisibilityHeartbeat {
  private open = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    private readonly message: Message,
    private readonly seconds: number,
    private readonly warn: (message: string) => void,
  ) {}

  watch(object: SourceObject): SourceObject {
    return {
      ...object,
      open: async () => {
        const stream = await object.open();
        this.opened(stream);
        return stream;
      },
    };
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  private opened(stream: Readable): void {
    this.open += 1;
    if (this.open === 1 && !this.stopped) {
      void this.extend();
      this.timer = setInterval(() => void this.extend(), (this.seconds * 1000) / 2);
      this.timer.unref();
    }
    finished(stream, () => {
      this.open -= 1;
      if (this.open === 0) clearInterval(this.timer);
    });
  }

  private async extend(): Promise<void> {
    const input = {
      QueueUrl: this.queueUrl,
      ReceiptHandle: this.message.ReceiptHandle,
      VisibilityTimeout: this.seconds,
    };
    try {
      await this.sqs.send(new ChangeMessageVisibilityCommand(input));
    } catch (error) {
      this.warn(
        `SQS message ${this.message.MessageId ?? '?'}: could not extend its visibility (${(error as Error).message})`,
      );
    }
  }
}
