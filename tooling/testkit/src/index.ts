export { freePort } from "./free-port.ts";
export { hasTaskset, startNodeProcess, type NodeProcess, type NodeProcessOptions } from "./node-process.ts";
export { startRedisServer, type RedisServerHandle } from "./redis-server.ts";
