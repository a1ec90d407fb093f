import { connect } from "node:net";

export interface CommandWatcher {
  /** Command names (lower case) sent by the watched client address, in order. */
  readonly commands: string[];
  stop(): void;
}

/**
 * Watches what one client sends to Redis, over a plain MONITOR connection (no client
 * library in between). Commands run by scripts are reported by Redis with source "lua"
 * and are not counted: only what travelled over the watched connection is.
 */
export async function watchCommands(options: { port: number; clientAddress: string }): Promise<CommandWatcher> {
  const commands: string[] = [];
  const socket = connect(options.port, "127.0.0.1");
  let buffer = "";
  let started: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    started = resolve;
  });
  socket.setEncoding("utf8");
  socket.on("data", (chunk: string) => {
    buffer += chunk;
    let newline = buffer.indexOf("\r\n");
    while (newline >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 2);
      if (line === "+OK") started();
      // +1715000000.123456 [0 127.0.0.1:54722] "evalsha" "..." ...
      const match = /^\+\d+\.\d+ \[\d+ ([^\]]+)\] "([^"]+)"/.exec(line);
      if (match && match[1] === options.clientAddress) commands.push((match[2] as string).toLowerCase());
      newline = buffer.indexOf("\r\n");
    }
  });
  socket.write("MONITOR\r\n");
  await ready;
  return { commands, stop: () => socket.destroy() };
}
