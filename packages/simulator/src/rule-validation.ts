import type { SimulatorFault, SimulatorRule } from "./types.ts";

/** A scenario that cannot run; `path` names the offending field, e.g. `rules[1].fault.status`. */
export class SimulatorRuleError extends Error {
  readonly path: string;
  constructor(path: string, problem: string) {
    super(`${path}: ${problem}`);
    this.name = "SimulatorRuleError";
    this.path = path;
  }
}

const RULE_KEYS = new Set([
  "model",
  "promptIncludes",
  "after",
  "times",
  "probability",
  "reply",
  "content",
  "fault",
  "latency",
]);
const CONTENT_PRESETS = new Set(["pii", "pii-leak", "toxic", "invalid-json", "fenced-json", "prose-json"]);
const FAULT_KEYS: Record<SimulatorFault["type"], readonly string[]> = {
  status: ["status", "code", "message", "retryAfterSeconds", "retryAfterDate", "retryAfterMs"],
  hang: [],
  reset: [],
  "stream-stall": ["afterChunks"],
  "stream-die": ["afterChunks"],
  trickle: ["chunkDelayMs"],
  malformed: ["form", "bytes"],
};
const MALFORMED_FORMS = new Set([
  "truncated",
  "invalid-json",
  "wrong-content-type",
  "empty-body",
  "unknown-shape",
  "no-blank-line",
  "oversized",
]);
// An "endless" oversized answer is a large number; the pump stops when the client leaves.
const MAX_OVERSIZED_BYTES = 1024 * 1024 * 1024;

/**
 * Checks a scenario coming from code, a JSON file or the control API. Unknown keys are
 * errors too, so a typo such as `time: 3` fails loudly instead of matching forever.
 */
export function validateRules(value: unknown, knownModels: ReadonlySet<string>): SimulatorRule[] {
  if (!Array.isArray(value)) throw new SimulatorRuleError("rules", "must be an array");
  value.forEach((rule: unknown, index) => {
    validateRule(rule, `rules[${index}]`, knownModels);
  });
  return value as SimulatorRule[];
}

function validateRule(rule: unknown, path: string, knownModels: ReadonlySet<string>): void {
  const record = expectObject(rule, path);
  rejectUnknownKeys(record, RULE_KEYS, path);
  if (record.model !== undefined) {
    expectString(record.model, `${path}.model`);
    if (!knownModels.has(record.model as string)) {
      throw new SimulatorRuleError(`${path}.model`, `"${String(record.model)}" is not a known model of this simulator`);
    }
  }
  if (record.promptIncludes !== undefined) expectString(record.promptIncludes, `${path}.promptIncludes`);
  if (record.reply !== undefined) expectString(record.reply, `${path}.reply`);
  if (record.after !== undefined) expectCount(record.after, `${path}.after`);
  if (record.times !== undefined) expectCount(record.times, `${path}.times`);
  if (record.probability !== undefined) expectProbability(record.probability, `${path}.probability`);
  if (record.content !== undefined && !CONTENT_PRESETS.has(record.content as string)) {
    throw new SimulatorRuleError(`${path}.content`, `must be one of ${[...CONTENT_PRESETS].join(", ")}`);
  }
  if (record.latency !== undefined) {
    const latency = expectObject(record.latency, `${path}.latency`);
    rejectUnknownKeys(latency, new Set(["ttftMs", "perTokenMs"]), `${path}.latency`);
    if (latency.ttftMs !== undefined) expectDelay(latency.ttftMs, `${path}.latency.ttftMs`);
    if (latency.perTokenMs !== undefined) expectDelay(latency.perTokenMs, `${path}.latency.perTokenMs`);
  }
  if (record.fault !== undefined) validateFault(record.fault, `${path}.fault`);
}

function validateFault(fault: unknown, path: string): void {
  const record = expectObject(fault, path);
  const type = record.type as SimulatorFault["type"];
  const keys = Object.hasOwn(FAULT_KEYS, type) ? FAULT_KEYS[type] : undefined;
  if (keys === undefined) {
    throw new SimulatorRuleError(`${path}.type`, `must be one of ${Object.keys(FAULT_KEYS).join(", ")}`);
  }
  rejectUnknownKeys(record, new Set(["type", ...keys]), path);
  switch (type) {
    case "status":
      if (!Number.isInteger(record.status) || (record.status as number) < 400 || (record.status as number) > 599) {
        throw new SimulatorRuleError(`${path}.status`, "must be an integer from 400 to 599");
      }
      if (record.code !== undefined) expectString(record.code, `${path}.code`);
      if (record.message !== undefined) expectString(record.message, `${path}.message`);
      if (record.retryAfterSeconds !== undefined) expectDelay(record.retryAfterSeconds, `${path}.retryAfterSeconds`);
      if (record.retryAfterMs !== undefined) expectDelay(record.retryAfterMs, `${path}.retryAfterMs`);
      if (record.retryAfterDate !== undefined && typeof record.retryAfterDate !== "boolean") {
        throw new SimulatorRuleError(`${path}.retryAfterDate`, "must be a boolean");
      }
      return;
    case "stream-stall":
    case "stream-die":
      expectCount(record.afterChunks, `${path}.afterChunks`);
      return;
    case "trickle":
      expectDelay(record.chunkDelayMs, `${path}.chunkDelayMs`);
      return;
    case "malformed":
      if (record.form !== undefined && !MALFORMED_FORMS.has(record.form as string)) {
        throw new SimulatorRuleError(`${path}.form`, `must be one of ${[...MALFORMED_FORMS].join(", ")}`);
      }
      if (record.bytes !== undefined) {
        if (record.form !== "oversized")
          throw new SimulatorRuleError(`${path}.bytes`, 'applies to form "oversized" only');
        if (
          !Number.isInteger(record.bytes) ||
          (record.bytes as number) < 1 ||
          (record.bytes as number) > MAX_OVERSIZED_BYTES
        ) {
          throw new SimulatorRuleError(`${path}.bytes`, `must be an integer from 1 to ${MAX_OVERSIZED_BYTES}`);
        }
      }
      return;
    default:
      return;
  }
}

function expectObject(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new SimulatorRuleError(path, "must be an object");
  }
  return value as Record<string, unknown>;
}

function rejectUnknownKeys(record: Record<string, unknown>, allowed: ReadonlySet<string>, path: string): void {
  for (const key of Object.keys(record)) {
    if (!allowed.has(key)) throw new SimulatorRuleError(`${path}.${key}`, "is not a known field");
  }
}

function expectString(value: unknown, path: string): void {
  if (typeof value !== "string") throw new SimulatorRuleError(path, "must be a string");
}

function expectCount(value: unknown, path: string): void {
  if (!Number.isInteger(value) || (value as number) < 0) {
    throw new SimulatorRuleError(path, "must be a non-negative integer");
  }
}

function expectDelay(value: unknown, path: string): void {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new SimulatorRuleError(path, "must be a non-negative number");
  }
}

function expectProbability(value: unknown, path: string): void {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new SimulatorRuleError(path, "must be a number from 0 to 1");
  }
}
