/** How AWS errors read: which mean "it does not exist" and which can pass when asked again. */

export const errorCode = (error: unknown): string | undefined => {
  const code = (error as { Code?: unknown; name?: unknown } | undefined)?.Code ?? (error as { name?: unknown })?.name;
  return typeof code === 'string' ? code : undefined;
};

/** Errors about the request itself: asking again gives the same answer. */
const PERMANENT = new Set([
  'ValidationError',
  'InvalidParameterValue',
  'InvalidParameterCombination',
  'MissingParameter',
  'InvalidAction',
  'OptInRequired',
  'UnsupportedOperation',
]);

/**
 * Throttling, 5xx, network faults, and refused access (a role or permission can be fixed) are worth retrying;
 * a malformed request is not.
 */
export function awsRetryable(error: unknown): boolean {
  const code = errorCode(error);
  return code === undefined || !PERMANENT.has(code);
}
