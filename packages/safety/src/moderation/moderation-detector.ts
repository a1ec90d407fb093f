import type { Finding } from "../finding.ts";

export interface ModerationDetectorOptions {
  /** The provider's API root, e.g. "https://api.openai.com/v1". */
  baseURL: string;
  apiKey: string;
  /** Defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Defaults to "omni-moderation-latest". */
  model?: string;
}

export interface ModerationDetector {
  readonly name: string;
  readonly version: string;
  /** One finding per flagged kind, spanning the whole text, scored by the provider. */
  detectAsync(text: string, options?: { signal?: AbortSignal }): Promise<Finding[]>;
}

/** The provider's categories folded into Keel's kinds. */
const KINDS: Record<string, string> = {
  harassment: "HARASSMENT",
  "harassment/threatening": "HARASSMENT",
  hate: "HATE",
  "hate/threatening": "HATE",
  "self-harm": "SELF_HARM",
  "self-harm/intent": "SELF_HARM",
  "self-harm/instructions": "SELF_HARM",
  sexual: "SEXUAL",
  "sexual/minors": "SEXUAL",
  violence: "VIOLENCE",
  "violence/graphic": "VIOLENCE",
  illicit: "ILLICIT",
  "illicit/violent": "ILLICIT",
};

interface ModerationResult {
  flagged?: boolean;
  categories?: Record<string, boolean>;
  category_scores?: Record<string, number>;
}

/**
 * Asks a provider's `POST /v1/moderations` (OpenAI's shape) about a text. Off by default:
 * it is a network call per text, so a policy opts in. A failed call rejects with the
 * status and the provider's message; the caller's policy decides whether that blocks.
 */
export function createModerationDetector(options: ModerationDetectorOptions): ModerationDetector {
  const send = options.fetch ?? fetch;
  const url = `${options.baseURL.replace(/\/+$/, "")}/moderations`;
  return {
    name: "moderation",
    version: "1.0.0",
    async detectAsync(text, callOptions = {}) {
      const response = await send(url, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${options.apiKey}` },
        body: JSON.stringify({ model: options.model ?? "omni-moderation-latest", input: text }),
        ...(callOptions.signal === undefined ? {} : { signal: callOptions.signal }),
      });
      if (!response.ok) {
        throw new Error(`moderation endpoint answered ${response.status}: ${(await response.text()).slice(0, 200)}`);
      }
      const body = (await response.json()) as { results?: ModerationResult[] };
      return findingsOf(body.results?.[0], text.length);
    },
  };
}

/** One finding per kind with a flagged category, at its highest category score. */
function findingsOf(result: ModerationResult | undefined, length: number): Finding[] {
  if (result?.flagged !== true) return [];
  const scores = new Map<string, number>();
  for (const [category, flagged] of Object.entries(result.categories ?? {})) {
    if (!flagged) continue;
    const kind = KINDS[category] ?? category.toUpperCase().replace(/[^A-Z]+/g, "_");
    const score = result.category_scores?.[category] ?? 1;
    scores.set(kind, Math.max(scores.get(kind) ?? 0, score));
  }
  return [...scores].map(([kind, score]) => ({ kind, start: 0, end: length, score, detector: "moderation" }));
}
