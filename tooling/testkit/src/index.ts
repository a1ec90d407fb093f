export { freePort } from "./free-port.ts";
export { startRedisServer, type RedisServerHandle } from "./redis-server.ts";
export { eventually } from "./eventually.ts";
export {
  startWebhookReceiver,
  type ReceivedWebhook,
  type ReceiverBehaviour,
  type WebhookReceiverHandle,
} from "./webhook-receiver.ts";
