/**
 * One circuit breaker (opossum) per external system: an AWS account, Kio, a Pier One registry. When most recent
 * look-ups of a system failed, further ones fail at once for a while instead of each waiting for its timeout;
 * then one trial call decides whether the circuit closes again. Only retryable failures count: a definite
 * answer is not a failure, and a malformed request says nothing about the system's health.
 */
import CircuitBreaker from 'opossum';
import { LookupFailedError, type LookupFailure } from './errors.js';

export interface BreakerOptions {
  /** Failures in percent of the calls in the window that open the circuit (default 50). */
  errorThresholdPercentage?: number;
  /** Calls in the window before the circuit may open at all (default 5). */
  volumeThreshold?: number;
  /** The window's length (default 10 s). */
  rollingCountTimeoutMs?: number;
  /** How long it stays open before a trial call (default 30 s). */
  resetTimeoutMs?: number;
}

type Thunk = () => Promise<unknown>;

export class Breakers {
  private readonly breakers = new Map<string, CircuitBreaker<[Thunk], unknown>>();

  constructor(private readonly options: BreakerOptions = {}) {}

  private breaker(system: string): CircuitBreaker<[Thunk], unknown> {
    let breaker = this.breakers.get(system);
    if (breaker === undefined) {
      breaker = new CircuitBreaker((thunk: Thunk) => thunk(), {
        name: system,
        // Each look-up has its own timeout (it also aborts the request, which opossum's would not).
        timeout: false,
        errorThresholdPercentage: this.options.errorThresholdPercentage ?? 50,
        volumeThreshold: this.options.volumeThreshold ?? 5,
        rollingCountTimeout: this.options.rollingCountTimeoutMs ?? 10_000,
        resetTimeout: this.options.resetTimeoutMs ?? 30_000,
        errorFilter: (error: unknown) => !(error instanceof LookupFailedError && error.retryable),
      });
      this.breakers.set(system, breaker);
    }
    return breaker;
  }

  /** Runs a look-up through the system's circuit; an open circuit fails at once with a retryable failure. */
  async fire<T>(failure: Omit<LookupFailure, 'message' | 'retryable'>, thunk: () => Promise<T>): Promise<T> {
    const breaker = this.breaker(failure.system);
    try {
      return (await breaker.fire(thunk)) as T;
    } catch (error) {
      if ((error as { code?: string }).code === 'EOPENBREAKER')
        throw new LookupFailedError({ ...failure, retryable: true }, 'circuit open after repeated failures');
      throw error;
    }
  }

  state(system: string): 'closed' | 'open' | 'half-open' {
    const breaker = this.breakers.get(system);
    if (breaker === undefined || breaker.closed) return 'closed';
    return breaker.halfOpen ? 'half-open' : 'open';
  }

  shutdown(): void {
    for (const breaker of this.breakers.values()) breaker.shutdown();
    this.breakers.clear();
  }
}
