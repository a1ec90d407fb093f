import { toFile } from "openai";
import type OpenAI from "openai";
import { describe, expect, it } from "vitest";
import type { SimulatorBatchOptions, SimulatorRule } from "./types.ts";
import { useSimulator } from "./test-support/simulator-fixtures.ts";

const line = (customId: string, prompt: string, model = "gpt-4o-mini") =>
  JSON.stringify({
    custom_id: customId,
    method: "POST",
    url: "/v1/chat/completions",
    body: { model, messages: [{ role: "user", content: prompt }], max_tokens: 50 },
  });

async function upload(client: OpenAI, lines: string[]) {
  return client.files.create({
    file: await toFile(Buffer.from(`${lines.join("\n")}\n`), "requests.jsonl"),
    purpose: "batch",
  });
}

async function settle(client: OpenAI, id: string, seen: Set<string> = new Set()) {
  for (let poll = 0; poll < 400; poll++) {
    const batch = await client.batches.retrieve(id);
    seen.add(batch.status);
    if (["completed", "failed", "expired", "cancelled"].includes(batch.status)) return batch;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`batch ${id} did not settle`);
}

async function jsonl(client: OpenAI, fileId: string) {
  const text = await (await client.files.content(fileId)).text();
  return text
    .trim()
    .split("\n")
    .map((row) => JSON.parse(row));
}

async function start(batch: SimulatorBatchOptions, rules: SimulatorRule[] = []) {
  return useSimulator({ batch, rules });
}

describe("the Batch API, with the real openai SDK", () => {
  it("uploads a JSONL file, runs its lines through the rule book and serves output and error files", async () => {
    const { client, simulator } = await start({ completionMs: 150 }, [
      { promptIncludes: "capital", reply: "Paris." },
      { promptIncludes: "explode", fault: { type: "status", status: 500 } },
    ]);
    const file = await upload(client, [
      line("q-1", "What is the capital of France?"),
      line("q-2", "explode"),
      line("q-3", "Hello"),
    ]);
    expect(file).toMatchObject({ object: "file", purpose: "batch", filename: "requests.jsonl", status: "processed" });
    expect(file.id).toMatch(/^file-/);
    expect(await client.files.retrieve(file.id)).toEqual(file);

    const created = await client.batches.create({
      input_file_id: file.id,
      endpoint: "/v1/chat/completions",
      completion_window: "24h",
      metadata: { job: "nightly" },
    });
    expect(created).toMatchObject({
      object: "batch",
      status: "validating",
      endpoint: "/v1/chat/completions",
      input_file_id: file.id,
      completion_window: "24h",
      output_file_id: null,
      error_file_id: null,
      metadata: { job: "nightly" },
    });
    expect(created.expires_at).toBe(created.created_at + 86_400);

    const seen = new Set<string>();
    const done = await settle(client, created.id, seen);
    expect(seen.has("in_progress")).toBe(true);
    expect(done.status).toBe("completed");
    expect(done.request_counts).toEqual({ total: 3, completed: 2, failed: 1 });
    expect(done.completed_at).toBeGreaterThanOrEqual(done.in_progress_at!);

    const outputs = await jsonl(client, done.output_file_id!);
    expect(outputs.map((row) => row.custom_id)).toEqual(["q-1", "q-3"]);
    expect(outputs[0]).toMatchObject({
      error: null,
      response: {
        status_code: 200,
        body: { object: "chat.completion", choices: [{ message: { content: "Paris." } }] },
      },
    });
    expect(outputs[0].id).toMatch(/^batch_req-/);
    expect(outputs[1].response.body.usage.total_tokens).toBeGreaterThan(0);
    const errors = await jsonl(client, done.error_file_id!);
    expect(errors).toEqual([
      expect.objectContaining({
        custom_id: "q-2",
        error: null,
        response: expect.objectContaining({
          status_code: 500,
          body: { error: expect.objectContaining({ type: "server_error" }) },
        }),
      }),
    ]);
    expect((await client.files.retrieve(done.output_file_id!)).purpose).toBe("batch_output");
    expect(simulator.stats().calls["gpt-4o-mini"]).toBe(3);
  });

  it("fails the whole batch on an invalid line, naming the line, and on the `failed` outcome", async () => {
    const { client, simulator } = await start({});
    const broken = await upload(client, [line("a", "hi"), "{not json"]);
    const failed = await settle(
      client,
      (
        await client.batches.create({
          input_file_id: broken.id,
          endpoint: "/v1/chat/completions",
          completion_window: "24h",
        })
      ).id,
    );
    expect(failed.status).toBe("failed");
    expect(failed.failed_at).toEqual(expect.any(Number));
    expect(failed.errors).toEqual({
      object: "list",
      data: [{ code: "invalid_json_line", message: "This line is not parseable as valid JSON.", param: null, line: 2 }],
    });

    simulator.setBatchOptions({ outcome: "failed" });
    const good = await upload(client, [line("a", "hi")]);
    const forced = await settle(
      client,
      (
        await client.batches.create({
          input_file_id: good.id,
          endpoint: "/v1/chat/completions",
          completion_window: "24h",
        })
      ).id,
    );
    expect(forced.status).toBe("failed");
    expect(forced.errors?.data?.[0]?.code).toBe("batch_failed");
    expect(simulator.stats().calls["gpt-4o-mini"]).toBeUndefined();
  });

  it("expires: no line runs, every line is in the error file with batch_expired", async () => {
    const { client } = await start({ outcome: "expired" });
    const file = await upload(client, [line("a", "one"), line("b", "two")]);
    const expired = await settle(
      client,
      (
        await client.batches.create({
          input_file_id: file.id,
          endpoint: "/v1/chat/completions",
          completion_window: "24h",
        })
      ).id,
    );
    expect(expired.status).toBe("expired");
    expect(expired.expired_at).toEqual(expect.any(Number));
    expect(expired.output_file_id).toBeNull();
    expect(expired.request_counts).toEqual({ total: 2, completed: 0, failed: 2 });
    const errors = await jsonl(client, expired.error_file_id!);
    expect(errors.map((row) => [row.custom_id, row.response, row.error.code])).toEqual([
      ["a", null, "batch_expired"],
      ["b", null, "batch_expired"],
    ]);
  });

  it("cancels an in-progress batch (cancelling, then cancelled) and refuses to cancel a finished one", async () => {
    const { client, simulator } = await start({ completionMs: 5_000 });
    const file = await upload(client, [line("a", "one")]);
    const batch = await client.batches.create({
      input_file_id: file.id,
      endpoint: "/v1/chat/completions",
      completion_window: "24h",
    });
    await simulator.waitFor(() => true, 10);
    for (let poll = 0; poll < 200 && (await client.batches.retrieve(batch.id)).status !== "in_progress"; poll++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const cancelling = await client.batches.cancel(batch.id);
    expect(cancelling.status).toBe("cancelling");
    expect(cancelling.cancelling_at).toEqual(expect.any(Number));
    const cancelled = await settle(client, batch.id);
    expect(cancelled).toMatchObject({ status: "cancelled", output_file_id: null, error_file_id: null });
    expect(simulator.stats().calls["gpt-4o-mini"]).toBeUndefined();
    await expect(client.batches.cancel(batch.id)).rejects.toMatchObject({ status: 409 });
  });

  it("lists every batch, newest first, so a test can count submissions", async () => {
    const { client } = await start({});
    const file = await upload(client, [line("a", "one")]);
    const create = () =>
      client.batches.create({ input_file_id: file.id, endpoint: "/v1/chat/completions", completion_window: "24h" });
    const first = await create();
    const second = await create();
    const listed: string[] = [];
    for await (const batch of client.batches.list()) listed.push(batch.id);
    expect(listed).toEqual([second.id, first.id]);
  });

  it("answers OpenAI's errors for unknown ids, a wrong purpose and an unsupported endpoint", async () => {
    const { client } = await start({});
    await expect(client.files.retrieve("file-nope")).rejects.toMatchObject({ status: 404 });
    await expect(client.batches.retrieve("batch-nope")).rejects.toMatchObject({ status: 404 });
    const notBatch = await client.files.create({
      file: await toFile(Buffer.from("x"), "notes.txt"),
      purpose: "user_data",
    });
    await expect(
      client.batches.create({ input_file_id: notBatch.id, endpoint: "/v1/chat/completions", completion_window: "24h" }),
    ).rejects.toMatchObject({ status: 400, param: "input_file_id" });
    await expect(
      client.batches.create({ input_file_id: notBatch.id, endpoint: "/v1/embeddings", completion_window: "24h" }),
    ).rejects.toMatchObject({ status: 400, param: "endpoint" });
  });
});
