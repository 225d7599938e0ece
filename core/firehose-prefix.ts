/**
 * The fixed start of a Firehose S3 prefix expression, up to the last `/` before its first
 * `!{…}`: `raw/year=!{timestamp:yyyy}/` gives `raw/`. Every object the expression names is
 * under it, so it is what a delivery stream's S3 permissions are limited to.
 */
export function fixedPrefix(expression: string): string {
  const literal = expression.split('!{')[0];
  return literal.slice(0, literal.lastIndexOf('/') + 1);
}
