/** The HTTP client's public surface. */
export {
  createClient,
  isNotFound,
  type FullstopClient,
  type ViolationQuery,
  type CountQuery,
  type ClientOptions,
} from './client.js';
export {
  ApiError,
  AuthError,
  NetworkError,
  TimeoutError,
  AbortedError,
  InvalidResponseError,
  OutcomeUnknownError,
} from './errors.js';
export { collectViolations, streamViolations, mergeNewestFirst, MAX_PAGE_SIZE } from './paging.js';
