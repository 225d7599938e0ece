/** The outcome of decoding or validating untrusted input: a value, or a reason a person can read. */
export type Parsed<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

export const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
export const invalid = <T = never>(reason: string): Parsed<T> => ({ ok: false, reason });
