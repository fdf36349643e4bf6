/**
 * A look-up either answers (possibly "it does not exist": a 404 from Kio, an unknown AMI, no user data) or fails
 * (timeout, 5xx, throttling, access denied, an open circuit). A failure must never be read as an answer: the
 * rules would commit a wrong verdict. It surfaces as a LookupFailedError, and the caller keeps the event to
 * evaluate again later when `retryable`.
 */

/** The plain, storable form of a failed look-up. */
export interface LookupFailure {
  /** The system asked: `aws:<account>`, `kio`, `pierone:<host>`, `templates`. */
  system: string;
  /** What was asked, e.g. `DescribeImages`, `GET /apps/{id}`. */
  lookup: string;
  /** Of what, e.g. the AMI id, the application id. Never a credential. */
  key: string;
  /** True when asking again later can succeed (timeouts, 5xx, throttling, denied access that may be granted). */
  retryable: boolean;
  message: string;
}

export class LookupFailedError extends Error implements LookupFailure {
  override name = 'LookupFailedError';
  readonly system: string;
  readonly lookup: string;
  readonly key: string;
  readonly retryable: boolean;

  constructor(failure: Omit<LookupFailure, 'message'>, message: string, options?: { cause?: unknown }) {
    super(`${failure.system} ${failure.lookup} ${failure.key}: ${message}`, options);
    this.system = failure.system;
    this.lookup = failure.lookup;
    this.key = failure.key;
    this.retryable = failure.retryable;
  }

  toJSON(): LookupFailure {
    return {
      system: this.system,
      lookup: this.lookup,
      key: this.key,
      retryable: this.retryable,
      message: this.message,
    };
  }
}

/** `enrich()` could not look up everything the event's rules need; nothing about the event may be committed. */
export class EnrichmentFailedError extends Error {
  override name = 'EnrichmentFailedError';
  /** True when every failure is retryable: evaluating the event later can succeed. */
  readonly retryable: boolean;

  constructor(readonly failures: readonly LookupFailedError[]) {
    super(
      `${failures.length} look-up${failures.length === 1 ? '' : 's'} failed: ${failures.map((f) => f.message).join('; ')}`,
    );
    this.retryable = failures.every((failure) => failure.retryable);
  }
}

/** The HTTP status (or AWS error code) of an error, whichever the client attached. */
export function errorStatus(error: unknown): number | undefined {
  const metadata = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata;
  const status = metadata?.httpStatusCode ?? (error as { statusCode?: number } | undefined)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}
