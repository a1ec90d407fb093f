import type { OutgoingHttpHeader } from "node:http";
import type { Exchange } from "./exchange.ts";
import { sendMalformedJson } from "./malformed-answers.ts";
import type { SimulatorFault } from "./types.ts";

type StatusFault = Extract<SimulatorFault, { type: "status" }>;

const DEFAULT_MESSAGES: Record<string, string> = {
  rate_limit_exceeded: "Rate limit reached (simulated). Please try again later.",
  content_policy_violation:
    "Your request was rejected as a result of our safety system. Your prompt may contain text that is not allowed.",
  context_length_exceeded:
    "This model's maximum context length is 128000 tokens. However, your messages resulted in more tokens. Please reduce the length of the messages.",
};

const MESSAGES_BY_STATUS: Record<number, string> = {
  429: DEFAULT_MESSAGES.rate_limit_exceeded!,
  500: "The server had an error while processing your request. Sorry about that!",
  502: "Bad gateway.",
  503: "The engine is currently overloaded, please try again later.",
};

/**
 * The faults that replace the answer outright: an error status, a hang, a reset.
 * Returns true when the fault took the request over.
 */
export function applyEarlyFault(exchange: Exchange, fault: SimulatorFault | undefined, delayMs: number): boolean {
  if (fault === undefined) return false;
  switch (fault.type) {
    case "status":
      exchange.after(delayMs, () => sendStatusFault(exchange, fault));
      return true;
    case "hang":
      return true;
    case "reset":
      exchange.after(delayMs, () => exchange.destroySocket());
      return true;
    default:
      return false;
  }
}

/** The error body fields of a status fault: its code, OpenAI's message for it, its param. */
export function statusFaultError(fault: StatusFault): { message: string; code: string | null; param: string | null } {
  const code = fault.code ?? (fault.status === 429 ? "rate_limit_exceeded" : null);
  const message =
    fault.message ??
    (code === null ? undefined : DEFAULT_MESSAGES[code]) ??
    MESSAGES_BY_STATUS[fault.status] ??
    `Simulated error with status ${fault.status}.`;
  return { message, code, param: code === "context_length_exceeded" ? "messages" : null };
}

function sendStatusFault(exchange: Exchange, fault: StatusFault): void {
  const headers: OutgoingHttpHeader[] = [];
  if (fault.retryAfterDate === true) {
    // Rounded up to a whole second, as an HTTP-date cannot say less.
    const at = Math.ceil((Date.now() + (fault.retryAfterSeconds ?? 1) * 1000) / 1000) * 1000;
    headers.push("retry-after", new Date(at).toUTCString());
  } else if (fault.retryAfterSeconds !== undefined) {
    headers.push("retry-after", String(fault.retryAfterSeconds));
  }
  if (fault.retryAfterMs !== undefined) headers.push("retry-after-ms", String(fault.retryAfterMs));
  exchange.sendError(fault.status, statusFaultError(fault), headers);
}

/**
 * Sends a finished JSON answer after `delayMs`, through whatever fault the rule set:
 * trickle (headers now, body later), malformed (a cut body), stream-stall (headers,
 * then silence) or stream-die (headers and half the body, then the socket dies).
 */
export function sendJsonAnswer(
  exchange: Exchange,
  answer: { body: string; delayMs: number; fault: SimulatorFault | undefined },
): void {
  const { body, delayMs, fault } = answer;
  switch (fault?.type) {
    case "trickle":
      exchange.response.writeHead(200, ["content-type", "application/json"]);
      exchange.response.flushHeaders();
      exchange.after(delayMs + fault.chunkDelayMs, () => exchange.response.end(body));
      return;
    case "malformed":
      exchange.after(delayMs, () => sendMalformedJson(exchange, fault, body));
      return;
    case "stream-stall":
    case "stream-die":
      exchange.after(delayMs, () => {
        exchange.response.writeHead(200, ["content-type", "application/json"]);
        if (fault.type === "stream-stall") exchange.response.flushHeaders();
        else exchange.response.write(body.slice(0, body.length >> 1), () => exchange.destroySocket());
      });
      return;
    default:
      exchange.after(delayMs, () => exchange.sendJson(200, body));
  }
}
