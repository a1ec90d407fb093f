import { connect } from "node:net";

/** A reply to one command: simple and bulk strings, integers, nil. Arrays are not needed here. */
export type RespReply = string | number | null;

/**
 * Sends one command to a Redis on loopback over a fresh socket and reads one reply.
 * The testkit needs only a few administrative commands (CLUSTER INFO, CLUSTER NODES,
 * INFO, CONFIG); a dependency-free client keeps the testkit free of ioredis.
 */
export function respCommand(port: number, args: readonly string[], timeoutMs = 2_000): Promise<RespReply> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let buffered = Buffer.alloc(0);
    const finish = (error: Error | undefined, reply?: RespReply) => {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(reply ?? null);
    };
    const timer = setTimeout(
      () => finish(new Error(`redis on port ${port}: no answer to ${args.join(" ")} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.once("connect", () => socket.write(encode(args)));
    socket.on("data", (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const parsed = parseReply(buffered);
      if (parsed === undefined) return;
      if (parsed instanceof Error) finish(new Error(`redis on port ${port}: ${args.join(" ")}: ${parsed.message}`));
      else finish(undefined, parsed.value);
    });
    socket.once("error", (error) => finish(error));
    socket.once("close", () => finish(new Error(`redis on port ${port} closed the connection`)));
  });
}

function encode(args: readonly string[]): string {
  return `*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join("")}`;
}

/** The reply when `buffer` holds a complete one, undefined while more bytes are needed. */
function parseReply(buffer: Buffer): { value: RespReply } | Error | undefined {
  const lineEnd = buffer.indexOf("\r\n");
  if (lineEnd === -1) return undefined;
  const kind = String.fromCharCode(buffer[0] ?? 0);
  const line = buffer.toString("utf8", 1, lineEnd);
  if (kind === "+") return { value: line };
  if (kind === "-") return new Error(line);
  if (kind === ":") return { value: Number(line) };
  if (kind === "$") {
    const length = Number(line);
    if (length === -1) return { value: null };
    const start = lineEnd + 2;
    if (buffer.length < start + length + 2) return undefined;
    return { value: buffer.toString("utf8", start, start + length) };
  }
  return new Error(`unexpected reply type "${kind}"`);
}
