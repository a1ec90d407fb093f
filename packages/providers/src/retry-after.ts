/** The few header reads we need; the SDK hands us a WHATWG `Headers`. */
interface HeaderReader {
  get(name: string): string | null;
}

/**
 * How long the upstream asked us to wait, in milliseconds, or undefined when it did not
 * say. Reads OpenAI's `retry-after-ms` first (finer grained), then the standard
 * `retry-after` in either of its forms: delay-seconds ("2", "0.5") or an HTTP-date.
 */
export function parseRetryAfter(headers: HeaderReader | undefined, now: number = Date.now()): number | undefined {
  if (headers === undefined) return undefined;
  const milliseconds = headers.get("retry-after-ms");
  if (milliseconds !== null) {
    const value = parseDelay(milliseconds);
    if (value !== undefined) return Math.ceil(value);
  }
  const retryAfter = headers.get("retry-after");
  if (retryAfter === null) return undefined;
  const seconds = parseDelay(retryAfter);
  if (seconds !== undefined) return Math.ceil(seconds * 1000);
  // Date.parse is lenient ("-5" is a year): only text with a month or day name is a date.
  if (!HTTP_DATE_SHAPE.test(retryAfter)) return undefined;
  const date = Date.parse(retryAfter);
  // A date already in the past means "now", not "never".
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

const HTTP_DATE_SHAPE = /[A-Za-z]{3}/;

function parseDelay(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^\d+(?:\.\d+)?$/.test(trimmed)) return undefined;
  return Number(trimmed);
}
