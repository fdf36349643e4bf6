/**
 * The batch resolution endpoint of this project's server, `POST /api/violations/resolutions`: one request
 * resolves up to {@link MAX_BATCH_RESOLUTION_IDS} violations with one comment and answers one outcome per id.
 * The original Java server has no such endpoint (it answers 405 for the path), so a client must be able to
 * fall back to one `POST /api/violations/{id}/resolution` per violation. Plain types and constants: importing
 * this costs nothing at run time.
 */

/** The most ids one request may carry; the client splits larger batches. */
export const MAX_BATCH_RESOLUTION_IDS = 1000;

/** The request body. */
export interface BatchResolutionRequest {
  /** Distinct violation ids. An empty list resolves nothing and answers `{"results":[]}`. */
  ids: number[];
  /** The comment, as the single route takes it from the raw body; must not be blank. */
  comment: string;
}

/**
 * What became of one id: `resolved` (the comment is set, overwriting any earlier one, as the single route does),
 * `not_found` (no such violation) or `forbidden` (the caller may not resolve violations of its account).
 */
export type BatchResolutionStatus = 'resolved' | 'not_found' | 'forbidden';

export interface BatchResolutionOutcome {
  id: number;
  status: BatchResolutionStatus;
  /** Why it was not resolved; absent when it was. */
  message?: string;
}

/** The 200 answer: one outcome per requested id, in the order of the request. */
export interface BatchResolutionResponse {
  results: BatchResolutionOutcome[];
}
