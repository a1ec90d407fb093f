import { networkInterfaces } from "node:os";
import { afterEach, describe, expect, it } from "vitest";
import { startSimulator } from "./server.ts";
import type { SimulatorHandle } from "./types.ts";

/** Issue 12 item 14: a simulator bound beyond loopback does not let the network reprogram it. */

const running: SimulatorHandle[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((simulator) => simulator.close()));
});

/** An address of this machine that is not loopback, as another host on the network would reach it. */
function externalAddress(): string {
  for (const addresses of Object.values(networkInterfaces()))
    for (const address of addresses ?? []) if (!address.internal && address.family === "IPv4") return address.address;
  throw new Error("this machine has no non-loopback IPv4 address to test with");
}

async function postRules(origin: string) {
  const response = await fetch(`${origin}/_sim/rules`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ rules: [{ model: "gpt-4o", reply: "taken over" }] }),
  });
  return response.status;
}

describe("the control API's exposure", () => {
  it("is not served when the simulator is bound to 0.0.0.0, unless asked for", async () => {
    const simulator = await startSimulator({ host: "0.0.0.0" });
    running.push(simulator);
    const origin = `http://${externalAddress()}:${simulator.port}`;
    expect(await postRules(origin)).toBe(404);
    expect((await fetch(`${origin}/_sim/stats`)).status).toBe(404);
    // The model API still answers, with the default reply, not the one the network tried to install.
    const answer = await fetch(`${origin}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }] }),
    });
    const body = (await answer.json()) as { choices: Array<{ message: { content: string } }> };
    expect(body.choices[0]?.message.content).not.toBe("taken over");
  });

  it("is served on loopback by default and anywhere with controlApi: true", async () => {
    const loopback = await startSimulator();
    const opened = await startSimulator({ host: "0.0.0.0", controlApi: true });
    running.push(loopback, opened);
    expect(await postRules(loopback.origin)).toBe(200);
    expect(await postRules(`http://${externalAddress()}:${opened.port}`)).toBe(200);
  });
});
