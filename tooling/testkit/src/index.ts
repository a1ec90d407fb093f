export { freePort } from "./free-port.ts";
export { startRedisServer, type RedisServerHandle } from "./redis-server.ts";
