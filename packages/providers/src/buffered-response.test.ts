import { describe, expect, it } from "vitest";
import { BufferedResponse } from "./buffered-response.ts";

const answer = { id: "chatcmpl-1", choices: [{ message: { content: "héllo" } }] };
const bytes = () => new Uint8Array(Buffer.from(JSON.stringify(answer)));
const init = { status: 201, statusText: "Created", headers: new Headers({ "content-type": "application/json" }) };

describe("BufferedResponse (node-fetch's answer for a body read whole)", () => {
  it("is a Response with the status and headers given, and reads as fetch's own does", async () => {
    const response = new BufferedResponse(bytes(), init);
    const reference = new Response(bytes(), init);
    expect(response).toBeInstanceOf(Response);
    expect([response.status, response.statusText, response.ok]).toEqual([201, "Created", true]);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.bodyUsed).toBe(false);
    expect(await response.json()).toEqual(await reference.json());
    expect(response.bodyUsed).toBe(true);
  });

  it("lets its body be read once, like any Response", async () => {
    const response = new BufferedResponse(bytes(), init);
    expect(await response.text()).toBe(JSON.stringify(answer));
    await expect(response.text()).rejects.toThrow(TypeError);
    await expect(response.json()).rejects.toThrow(TypeError);
    expect(() => response.clone()).toThrow(TypeError);
  });

  it("gives the same bytes as arrayBuffer, bytes, blob, a clone and a body stream", async () => {
    const expected = JSON.stringify(answer);
    expect(Buffer.from(await new BufferedResponse(bytes(), init).arrayBuffer()).toString()).toBe(expected);
    const blob = await new BufferedResponse(bytes(), init).blob();
    expect([await blob.text(), blob.type]).toEqual([expected, "application/json"]);
    const original = new BufferedResponse(bytes(), init);
    const copy = original.clone();
    expect([await original.text(), await copy.text()]).toEqual([expected, expected]);
    expect(copy.headers.get("content-type")).toBe("application/json");
    const streamed = new BufferedResponse(bytes(), init);
    expect(await new Response(streamed.body).text()).toBe(expected);
    expect(streamed.bodyUsed).toBe(true);
    await expect(streamed.text()).rejects.toThrow(TypeError);
  });
});
