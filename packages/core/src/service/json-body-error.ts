import { KeelError } from "@keel/spec";

/**
 * The answer both services give a request whose body is not declared as JSON (curl's
 * `-d` sends `application/x-www-form-urlencoded` unless told otherwise): the same code,
 * reason and words, saying what to send.
 */
export function unsupportedMediaType(contentType: string | undefined): KeelError {
  const received = contentType ? `"${contentType}"` : "no content-type header";
  return new KeelError(
    "BAD_REQUEST",
    `the request body must be JSON: send it with the header "content-type: application/json" (received ${received})`,
    { details: { reason: "unsupported-media-type", expected: "application/json" } },
  );
}
