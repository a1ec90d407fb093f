import type { ChatMessage, ChatRequest, SafetyFinding } from "@keel/spec";
import type { ResolvedSafetyPolicy } from "../policy/resolve-policy.ts";
import type { Vault } from "../redaction/vault.ts";
import { applyEdits, type TextEdit } from "../text/text-edits.ts";
import { type ActedFinding, toSafetyFinding } from "./acted-finding.ts";
import { type InputChannel, scanInputText } from "./scan-input-text.ts";

export interface RequestScan {
  /** The request the rest of the pipeline sees: redacted spans replaced by placeholders. */
  request: ChatRequest;
  /** For the envelope, offsets into the caller's own text. */
  findings: SafetyFinding[];
  /** The first finding whose action is block, and where it was. */
  blocked: SafetyFinding | undefined;
  /** Review asked for by an input finding: hold wins over flag. */
  review: { mode: "hold" | "flag"; detector: string } | undefined;
}

/**
 * Scans every message and document of a request with the route's input policy, replaces
 * the spans to redact with the vault's placeholders and reports what it found. Linear in
 * the request's size; never throws on any text.
 */
export function scanRequest(
  request: ChatRequest,
  options: { policy: ResolvedSafetyPolicy; vault: Vault },
): RequestScan {
  const { policy, vault } = options;
  const findings: SafetyFinding[] = [];
  let blocked: SafetyFinding | undefined;
  let review: RequestScan["review"];
  const scan = (text: string, channel: InputChannel, place: Omit<Place, "start" | "end">): string => {
    const acted = scanInputText(text, { channel, policy: policy.input });
    if (acted.length === 0) return text;
    const edits: TextEdit[] = [];
    for (const finding of acted) {
      const reported = toSafetyFinding(finding, Object.assign({ start: finding.start, end: finding.end }, place));
      findings.push(reported);
      if (finding.action === "block") blocked ??= reported;
      else if (finding.action === "review") review = strongerReview(review, finding);
      else if (finding.action === "redact") {
        edits.push({
          start: finding.start,
          end: finding.end,
          replacement: vault.placeholderFor(text.slice(finding.start, finding.end), finding),
        });
      }
    }
    return edits.length === 0 ? text : applyEdits(text, edits).text;
  };

  let messages: ChatMessage[] | undefined;
  request.messages.forEach((message, messageIndex) => {
    const content = scan(message.content, message.role, { messageIndex });
    if (content === message.content) return;
    messages ??= [...request.messages];
    messages[messageIndex] = { ...message, content };
  });
  let documents = request.documents;
  request.documents?.forEach((document, documentIndex) => {
    const place = document.id === undefined ? { documentIndex } : { documentIndex, documentId: document.id };
    const text = scan(document.text, "document", place);
    if (text === document.text) return;
    if (documents === request.documents) documents = [...(request.documents ?? [])];
    documents![documentIndex] = { ...document, text };
  });
  const redacted =
    messages === undefined && documents === request.documents
      ? request
      : { ...request, messages: messages ?? request.messages, ...(documents ? { documents } : {}) };
  return { request: redacted, findings, blocked, review };
}

interface Place {
  start: number;
  end: number;
  messageIndex?: number;
  documentIndex?: number;
  documentId?: string;
}

function strongerReview(current: RequestScan["review"], finding: ActedFinding): RequestScan["review"] {
  if (current?.mode === "hold") return current;
  return { mode: finding.review, detector: finding.policy };
}
