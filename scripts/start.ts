/**
 * `pnpm start`: runs Keel on this machine. With no settings, the embedded default: the
 * simulator, the tRPC service, the GraphQL service and the OpenAI-compatible service on
 * localhost with an in-memory cache, and a worker for background jobs (in-process queue
 * without Redis). OPENAI_API_KEY and/or OPENAI_BASE_URL switch to an OpenAI-compatible
 * provider; KEEL_CONFIG names a config file. A configuration or startup problem prints one message
 * and exits 1; Ctrl-C or SIGTERM stops everything gracefully and exits 0.
 */
import {
  checkStartup,
  createPipeline,
  listenError,
  loadConfig,
  runMain,
  startAdminHost,
  usesEmbeddedSimulator,
  type AdminHost,
  type ServiceHost,
} from "@keel/core";
import { dashboardDirectory, ensureDashboardBuilt } from "@keel/dashboard";
import { startGraphqlService } from "@keel/graphql";
import { startOpenaiService } from "@keel/openai";
import { startSimulator } from "@keel/simulator";
import { startTrpcService } from "@keel/trpc";
import { startBanner } from "./start-banner.ts";

await runMain(async () => {
  const config = loadConfig(process.env);
  await checkStartup(config);
  const { host, trpcPort, graphqlPort, openaiPort, simulatorPort, shutdownGraceMs } = config.services;
  const dashboard = await prepareDashboard();

  const simulator = usesEmbeddedSimulator(config)
    ? await startSimulator({ host, port: simulatorPort }).catch((error: unknown) => {
        throw listenError(error, { service: "simulator", host, port: simulatorPort });
      })
    : undefined;
  // One pipeline behind every service: one cache and one usage ledger, as instances on one
  // Redis would share. Each request's log line says which service took it.
  const pipeline = createPipeline(config);
  const hosts: ServiceHost[] = [];
  // Background jobs: the in-process queue's worker must run here; with Redis, unless jobs.worker is false.
  const worker = pipeline.jobs.workerInProcess ? pipeline.jobs.startWorker() : undefined;
  let admin: AdminHost | undefined;
  const stop = async () => {
    await Promise.all(hosts.map((service) => service.shutdown()));
    await admin?.close();
    await worker?.close({ graceMs: shutdownGraceMs });
    await pipeline.close();
    await simulator?.close();
  };
  try {
    hosts.push(
      await startTrpcService({
        pipeline,
        host,
        port: trpcPort,
        shutdownGraceMs,
        ...(dashboard ? { dashboardDirectory } : {}),
      }),
    );
    hosts.push(await startGraphqlService({ pipeline, host, port: graphqlPort, shutdownGraceMs }));
    hosts.push(await startOpenaiService({ pipeline, host, port: openaiPort, shutdownGraceMs }));
    admin = await startAdminHost(pipeline);
  } catch (error) {
    await stop(); // free what did start, so nothing keeps the process (or a port) alive
    throw error;
  }
  const [trpc, graphql, openai] = hosts as [ServiceHost, ServiceHost, ServiceHost];
  const auth = {
    on: await pipeline.governance.auth.required(),
    description: await pipeline.governance.auth.describe(),
  };
  console.log(startBanner({ config, trpc, graphql, openai, simulator, jobs: pipeline.jobs, auth, dashboard }));
  if (admin) console.log(`Admin (/readyz, /metrics): ${admin.url}`);
  return { graceMs: shutdownGraceMs, stop };
});

/**
 * Builds the dashboard when its sources changed since the last build (Vite, a few
 * seconds). A failed build leaves Keel running without the dashboard and says why.
 */
async function prepareDashboard(): Promise<boolean> {
  try {
    if (await ensureDashboardBuilt()) console.log("Built the dashboard (apps/dashboard/dist).");
    return true;
  } catch (error) {
    console.warn(`The dashboard is not served: ${error instanceof Error ? error.message : String(error)}`);
    return false;
  }
}
