import { connect as connectTcp, type Socket } from "node:net";
import { connect as connectTls } from "node:tls";

/**
 * Whether a Redis answers at `url`: connects (TLS for rediss://), sends PING and waits
 * for any reply line. A password-protected Redis answers -NOAUTH, which still proves it
 * is there; whether the password is right shows on the first real command. Resolves
 * with undefined when it answers, else with the reason ("connect ECONNREFUSED ...").
 */
export function pingRedis(url: string, timeoutMs: number): Promise<string | undefined> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return Promise.resolve("not a URL");
  }
  const host = target.hostname.replace(/^\[|\]$/g, "") || "127.0.0.1";
  const port = Number(target.port || 6379);
  return new Promise((resolve) => {
    const socket: Socket =
      target.protocol === "rediss:" ? connectTls({ host, port, servername: host }) : connectTcp({ host, port });
    const finish = (reason: string | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(reason);
    };
    const timer = setTimeout(() => finish(`no answer within ${timeoutMs} ms`), timeoutMs);
    socket.once(target.protocol === "rediss:" ? "secureConnect" : "connect", () =>
      socket.write("*1\r\n$4\r\nPING\r\n"),
    );
    socket.once("data", (chunk: Buffer) => {
      const first = chunk.toString("latin1", 0, 1);
      finish(first === "+" || first === "-" ? undefined : "the server there does not speak the Redis protocol");
    });
    socket.once("error", (error) => finish(error.message));
  });
}
