import { KeelError } from "@keel/spec";

// A cursor is the sequence number to continue before, opaque to callers. It only positions a
// walk through the caller's own tenant index, so a forged cursor reveals nothing.
export function encodeCursor(beforeSeq: number): string {
  return Buffer.from(`v1:${beforeSeq}`).toString("base64url");
}

export function decodeCursor(cursor: string): number {
  const match = /^v1:(\d{1,15})$/.exec(Buffer.from(cursor, "base64url").toString("utf8"));
  if (!match)
    throw new KeelError("BAD_REQUEST", "cursor is not one this queue issued", { details: { field: "cursor" } });
  return Number(match[1]);
}
