import { createHash } from "node:crypto";
import type { Cluster, Redis } from "ioredis";

export interface RedisScript {
  lua: string;
  sha: string;
}

export function redisScript(lua: string): RedisScript {
  return { lua, sha: createHash("sha1").update(lua).digest("hex") };
}

/** EVALSHA, falling back to EVAL once when the server has not seen the script (NOSCRIPT). */
export async function runScript(
  client: Redis | Cluster,
  script: RedisScript,
  input: { keys: string[]; args: (string | number)[] },
): Promise<unknown> {
  try {
    return await client.evalsha(script.sha, input.keys.length, ...input.keys, ...input.args);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
    return client.eval(script.lua, input.keys.length, ...input.keys, ...input.args);
  }
}
