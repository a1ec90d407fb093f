import { z } from "zod";
import { clusterUrl, parseHostPort, parseRedisUrl } from "../redis/redis-target.ts";

const redisUrlSchema = z.string().superRefine((url, context) => {
  const parsed = parseRedisUrl(url);
  if ("problem" in parsed) context.addIssue({ code: "custom", message: parsed.problem, input: url });
});

const clusterSchema = z.strictObject({
  /** Seed nodes, "host:port": any one that answers gives the client the whole slot map. */
  nodes: z.array(z.string().refine((node) => parseHostPort(node) !== undefined, 'expected "host:port"')).min(1),
  username: z.string().optional(),
  password: z.string().optional(),
  tls: z.boolean().optional(),
});

/**
 * Shared state (cache, usage ledger, and what later parts keep there) in Redis: one server
 * (`url: redis://...`) or a Redis Cluster (`url: redis+cluster://host:port,host:port`, or a
 * `cluster: { nodes }` section). After parsing there is one form, `url`, which core's
 * redis-target.ts reads; REDIS_URL replaces either.
 */
export const redisSchema = z
  .strictObject({
    url: redisUrlSchema.optional(),
    cluster: clusterSchema.optional(),
    keyPrefix: z.string().default("keel:"),
    /** A cache command slower than this counts as a miss (the cache fails open). */
    commandTimeoutMs: z.number().int().positive().default(250),
    /** The start stops when Redis does not answer (default); false starts anyway and fails open. */
    required: z.boolean().default(true),
  })
  .superRefine((redis, context) => {
    if ((redis.url === undefined) === (redis.cluster === undefined)) {
      context.addIssue({
        code: "custom",
        path: redis.url === undefined ? ["url"] : ["cluster"],
        message:
          redis.url === undefined
            ? "required: a redis:// or redis+cluster:// URL, or a cluster: { nodes } section"
            : "give either url or cluster, not both",
        input: redis.url === undefined ? undefined : redis.cluster,
      });
    }
  })
  .transform(({ cluster, url, ...rest }) => ({ ...rest, url: url ?? clusterUrl(cluster ?? { nodes: [] }) }));
