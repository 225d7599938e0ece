/**
 * The workshop prints times as `2017-06-05 09:17:08.189` (UTC, millisecond precision, a space
 * instead of `T`). Records and summaries carry that form; these helpers convert it.
 */

const STATUS_TIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})\.(\d{3})$/;

export function formatStatusTime(time: Date | number): string {
  const iso = new Date(time).toISOString(); // 2017-06-05T09:17:08.189Z
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}

/** Milliseconds since the epoch, or undefined when `text` is not a valid status time. */
export function parseStatusTime(text: string): number | undefined {
  if (!STATUS_TIME.test(text)) return undefined;
  const ms = Date.parse(`${text.replace(' ', 'T')}Z`);
  if (Number.isNaN(ms) || formatStatusTime(ms) !== text) return undefined;
  return ms;
}
