export { freePort } from "./free-port.ts";
export { hasTaskset, startNodeProcess, type NodeProcess, type NodeProcessOptions } from "./node-process.ts";
export {
  startRedisCluster,
  type ClusterFailover,
  type ClusterMaster,
  type RedisClusterHandle,
  type RedisClusterOptions,
} from "./redis-cluster.ts";
export { startRedisServer, type RedisServerHandle } from "./redis-server.ts";
export { eventually } from "./eventually.ts";
export {
  startWebhookReceiver,
  type ReceivedWebhook,
  type ReceiverBehaviour,
  type WebhookReceiverHandle,
} from "./webhook-receiver.ts";
export { startWorkerProcess, type WorkerProcessHandle, type WorkerProcessOptions } from "./worker-process.ts";
export { respCommand } from "./resp-command.ts";
