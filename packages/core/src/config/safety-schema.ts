import { ALLOWED_ACTIONS } from "@keel/safety";
import { z } from "zod";

/** Config shapes of @keel/safety's policies (the defaults live in that package). */

const reviewMode = z.enum(["hold", "flag"]);

function detector<const Actions extends readonly [string, ...string[]]>(actions: Actions) {
  return z.strictObject({
    action: z.enum(actions).optional(),
    /** Findings scoring below are ignored. */
    threshold: z.number().min(0).max(1).optional(),
    /** Only these kinds count ("EMAIL_ADDRESS", "PERSON", ...). */
    kinds: z.array(z.string().min(1)).optional(),
    /** For action review: hold the answer or let it go and keep an item for audit. */
    review: reviewMode.optional(),
  });
}

const input = ALLOWED_ACTIONS.input;
const output = ALLOWED_ACTIONS.output;

const toneRuleSchema = z.strictObject({
  name: z.string().min(1),
  /** Matched on words, case-insensitively; `*` stands for any one word. */
  phrases: z.array(z.string().regex(/[\p{L}\p{N}]/u, "expected a phrase with at least one word")).min(1),
});

const disclaimerSchema = z.strictObject({
  /** "medical", "legal", "financial" have built-in keyword lists; other topics need `keywords`. */
  topic: z.string().min(1),
  text: z.string().min(1),
  keywords: z.array(z.string().min(1)).min(1).optional(),
});

const brandSchema = z.strictObject({
  action: z.enum(output.brand).optional(),
  review: reviewMode.optional(),
  bannedTerms: z.array(z.string().regex(/[\p{L}\p{N}]/u, "expected a term with at least one word")).optional(),
  tone: z.array(toneRuleSchema).optional(),
  disclaimers: z.array(disclaimerSchema).optional(),
});

const claimsSchema = z.strictObject({
  action: z.enum(output.claims).optional(),
  threshold: z.number().min(0).max(1).optional(),
  /** A knowledge base of `safety.knowledgeBases`, used when a request has no documents. */
  knowledgeBase: z.string().min(1).optional(),
  disclaimer: z.string().min(1).optional(),
  review: reviewMode.optional(),
});

/** What a route (or every route, under `safety.defaults`) does about each detector. */
export const safetyPolicySchema = z.strictObject({
  input: z
    .strictObject({
      secrets: detector(input.secrets).optional(),
      pii: detector(input.pii).optional(),
      names: detector(input.names).optional(),
      injection: detector(input.injection).optional(),
      documentInjection: detector(input.documentInjection).optional(),
      toxicity: detector(input.toxicity).optional(),
    })
    .optional(),
  output: z
    .strictObject({
      secrets: detector(output.secrets).optional(),
      pii: detector(output.pii).optional(),
      names: detector(output.names).optional(),
      toxicity: detector(output.toxicity).optional(),
      brand: brandSchema.optional(),
      claims: claimsSchema.optional(),
    })
    .optional(),
  /** Served (finishReason "content_filter") instead of CONTENT_BLOCKED. */
  safeReply: z.string().min(1).optional(),
  review: z
    .strictObject({
      mode: reviewMode.optional(),
      ttlSeconds: z.number().int().positive().optional(),
      onExpiry: z.enum(["release", "reject"]).optional(),
    })
    .optional(),
});

export const safetySchema = z.strictObject({
  /** false: no safety stage at all (no scanning, no redaction, no review). */
  enabled: z.boolean().default(true),
  /** Policy every route gets; `models.<route>.safety` overrides it detector by detector. */
  defaults: safetyPolicySchema.default({}),
  /** name -> folder of .txt/.md files, loaded and indexed at start, for claim checks. Relative to the config file. */
  knowledgeBases: z.record(z.string().min(1), z.string().min(1)).default({}),
  /** The review queue (in Redis when `redis` is set, else in memory). */
  review: z
    .strictObject({
      /** How long a decided item stays readable for the audit. */
      retentionSeconds: z.number().int().positive().default(604_800),
      /** How often overdue items get their expiry decision (0: only when read). */
      sweepEverySeconds: z.number().int().nonnegative().default(30),
      /** How often a watcher re-reads an item another instance may decide. */
      pollMs: z.number().int().positive().default(1_000),
    })
    .prefault({}),
});
