export { createAppRouter, type AppRouter } from "./router.ts";
export { startTrpcService, type TrpcServiceOptions } from "./service.ts";
export type { KeelTrpcErrorData, KeelTrpcErrorShape } from "./error-formatter.ts";
export type { SessionInfo } from "./procedures/session.ts";
