/**
 * Keeps an SQS message invisible while it is being processed: from the first file opened until the pipeline acks
 * or releases the message (`stop`), it resets the message's visibility timeout at once and then every half
 * timeout, so neither a large file nor a slow commit makes it reappear mid-way (and another replica read it
 * again). A released message (processing failed) becomes visible again within one timeout.
 */
import { ChangeMessageVisibilityCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { SourceObject } from './source.js';

export class VisibilityHeartbeat {
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
        this.start();
        return object.open();
      },
    };
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  private start(): void {
    if (this.timer !== undefined || this.stopped) return;
    void this.extend();
    this.timer = setInterval(() => void this.extend(), (this.seconds * 1000) / 2);
    this.timer.unref();
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
