import { describe, expect, it } from "vitest";
import { createInProcessJobQueue } from "./in-process-job-queue.ts";
import { describeJobQueueContract } from "./test-support/job-queue-contract.ts";

describeJobQueueContract("in-process", () => createInProcessJobQueue);

describe("createInProcessJobQueue", () => {
  it("says what it is", async () => {
    const queue = createInProcessJobQueue();
    expect(queue.kind).toBe("in-process");
    await queue.close();
  });
});
