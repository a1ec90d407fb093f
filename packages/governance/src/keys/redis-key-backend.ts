import { tenantTag } from "../shared/identifiers.ts";
import type { RedisConnection } from "../shared/redis-connection.ts";
import type { KeyBackend, KeyPatch } from "./key-backend.ts";
import { sortKey } from "./key-records.ts";
import type { StoredApiKey } from "./key-types.ts";

// Every key of the registry carries the hash tag {keys}: the registry is small (one hash
// per API key), and one slot lets a create write the record and both indexes atomically
// on Redis Cluster too.
const INSERT = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('ZADD', KEYS[2], 0, ARGV[1])
redis.call('ZADD', KEYS[3], 0, ARGV[1])
return 1`;

const PATCH = `
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local sets = tonumber(ARGV[1])
if sets > 0 then redis.call('HSET', KEYS[1], unpack(ARGV, 2, 1 + sets * 2)) end
if #ARGV > 1 + sets * 2 then redis.call('HDEL', KEYS[1], unpack(ARGV, 2 + sets * 2)) end
return redis.call('HGETALL', KEYS[1])`;

/**
 * Keys in Redis: `<prefix>{keys}:id:<id>` is a hash of JSON-encoded fields; two sorted
 * sets (`<prefix>{keys}:tenant:<tenant tag>` and `<prefix>{keys}:all`) list members
 * "<createdAt ms, 15 digits>:<id>" in text order, for stable cursor pagination.
 */
export function createRedisKeyBackend(connection: RedisConnection): KeyBackend {
  const base = `${connection.prefix}{keys}:`;
  const recordKey = (id: string) => `${base}id:${id}`;
  const tenantIndex = (tenant: string) => `${base}tenant:${tenantTag(tenant)}`;
  const allIndex = `${base}all`;
  const insert = connection.script("KeysInsert", INSERT);
  const patch = connection.script("KeysPatch", PATCH);

  const read = async (id: string) => decode(await connection.run(() => connection.client.hgetall(recordKey(id))));

  return {
    kind: connection.health().kind,
    async insert(record) {
      const fields = encode(record);
      const inserted = await insert(
        [recordKey(record.id), tenantIndex(record.tenant), allIndex],
        [sortKey(record), ...fields],
      );
      return inserted === 1;
    },
    read,
    async patch(id, changes) {
      const { sets, deletes } = encodePatch(changes);
      const reply = await patch([recordKey(id)], [sets.length / 2, ...sets, ...deletes]);
      return Array.isArray(reply) ? decode(pairsToObject(reply as string[])) : undefined;
    },
    async list(query) {
      const index = query.tenant === undefined ? allIndex : tenantIndex(query.tenant);
      const from = query.after === undefined ? "-" : `(${query.after}`;
      const members = await connection.run(() =>
        connection.client.zrangebylex(index, from, "+", "LIMIT", 0, query.limit + 1),
      );
      const page = members.slice(0, query.limit);
      const records = await Promise.all(page.map((member) => read(member.slice(member.indexOf(":") + 1))));
      return {
        records: records.filter((record): record is StoredApiKey => record !== undefined),
        last: members.length > query.limit ? page.at(-1) : undefined,
      };
    },
    health: () => connection.health(),
    close: () => connection.close(),
  };
}

function encode(record: StoredApiKey): string[] {
  return Object.entries(record).flatMap(([field, value]) =>
    value === undefined ? [] : [field, JSON.stringify(value)],
  );
}

function encodePatch(changes: KeyPatch): { sets: string[]; deletes: string[] } {
  const sets: string[] = [];
  const deletes: string[] = [];
  for (const [field, value] of Object.entries(changes)) {
    if (value === null) deletes.push(field);
    else if (value !== undefined) sets.push(field, JSON.stringify(value));
  }
  return { sets, deletes };
}

function pairsToObject(pairs: string[]): Record<string, string> {
  const object: Record<string, string> = {};
  for (let index = 0; index + 1 < pairs.length; index += 2) object[pairs[index] as string] = pairs[index + 1] as string;
  return object;
}

function decode(hash: Record<string, string>): StoredApiKey | undefined {
  if (Object.keys(hash).length === 0) return undefined;
  const record: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(hash)) record[field] = JSON.parse(value);
  return record as unknown as StoredApiKey;
}
