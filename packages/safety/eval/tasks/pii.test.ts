import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const packageDirectory = fileURLToPath(new URL("../..", import.meta.url));

/**
 * The fixture, token by token (see README, "Span matching"):
 * 1. "joe@example.com" gold and found: EMAIL_ADDRESS 3 true positives (joe, example, com).
 * 2. a card nobody labelled: CREDIT_CARD 4 false positives (4111 x 4).
 * 3. "555 0199" after "call": PHONE_NUMBER 2 true positives.
 * 4. "nowhere at example dot com" labelled but no address: EMAIL_ADDRESS 5 false negatives.
 * 5. "10.0.0.1": IP_ADDRESS 4 true positives.
 * Micro over all: 9 TP, 4 FP, 5 FN: precision 9/13, recall 9/14, F1 18/27, F2 45/69.
 */
describe("pnpm eval:safety pii", () => {
  it("prints the table and, last, the JSON summary with the hand-computed figures", () => {
    const output = execFileSync(
      process.execPath,
      ["--import", "tsx", "eval/eval-safety.ts", "pii", "eval/tasks/pii-fixture.jsonl"],
      { cwd: packageDirectory, encoding: "utf8", env: { ...process.env, INIT_CWD: packageDirectory } },
    );
    const lines = output.trim().split("\n");
    expect(lines[0]).toContain("pii eval: 5 rows");
    const summary = JSON.parse(lines[lines.length - 1] ?? "{}");
    expect(summary.perType.EMAIL_ADDRESS).toEqual({ precision: 1, recall: 0.375, f1: 0.5455, f2: 0.4286, support: 8 });
    expect(summary.perType.CREDIT_CARD).toEqual({ precision: 0, recall: 1, f1: 0, f2: 0, support: 0 });
    expect(summary.perType.PHONE_NUMBER).toEqual({ precision: 1, recall: 1, f1: 1, f2: 1, support: 2 });
    expect(summary.perType.IP_ADDRESS).toEqual({ precision: 1, recall: 1, f1: 1, f2: 1, support: 4 });
    const micro = { precision: 0.6923, recall: 0.6429, f1: 0.6667, f2: 0.6522, support: 14 };
    expect(summary.microStructured).toEqual(micro);
    expect(summary.microAll).toEqual(micro);
  }, 60_000);

  it("says how to call it when the task is unknown", () => {
    expect(() =>
      execFileSync(process.execPath, ["--import", "tsx", "eval/eval-safety.ts", "nope"], {
        cwd: packageDirectory,
        encoding: "utf8",
        stdio: "pipe",
      }),
    ).toThrow(/usage: pnpm eval:safety <task> <file.jsonl>/);
  }, 60_000);
});
