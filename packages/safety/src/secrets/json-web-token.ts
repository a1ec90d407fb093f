/** Three base64url segments whose first decodes to a JSON object naming an algorithm or type: a JWT. */
const shape = /^eyJ[A-Za-z0-9_-]{5,4000}\.[A-Za-z0-9_-]{2,16000}\.[A-Za-z0-9_-]{0,4000}$/;

export function isJsonWebToken(token: string): boolean {
  if (!token.startsWith("eyJ") || !shape.test(token)) return false;
  const header = token.slice(0, token.indexOf("."));
  try {
    const decoded = JSON.parse(Buffer.from(header, "base64url").toString("utf8")) as unknown;
    return typeof decoded === "object" && decoded !== null && ("alg" in decoded || "typ" in decoded);
  } catch {
    return false;
  }
}
