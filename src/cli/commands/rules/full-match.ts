/** Java's `String.matches`, which whitelisting uses for `image_name`: the whole string must match. */
export function fullMatch(pattern: string): RegExp | undefined {
  try {
    return new RegExp(`^(?:${pattern})$`);
  } catch {
    return undefined;
  }
}
