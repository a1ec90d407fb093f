/**
 * What every detector reports: a span of the scanned text and what it is. Offsets are
 * UTF-16 code units into the string the detector was given, end exclusive. A finding
 * never carries the matched value, so it can travel to logs, metrics and callers.
 */
export interface Finding {
  /** What was found, upper case: "EMAIL_ADDRESS", "PERSON", "OPENAI_KEY", "INJECTION", "TOXIC", ... */
  kind: string;
  start: number;
  end: number;
  /** Confidence in [0, 1]; rule matches that a validator confirmed score 1. */
  score: number;
  /** The detector's name, e.g. "pii-structured", "ner", "secrets", "injection", "toxicity". */
  detector: string;
}

/**
 * One detector, one job. `detect` must run in time linear in the text's length (no regex
 * with catastrophic backtracking) and never throw on any string.
 */
export interface Detector {
  readonly name: string;
  /** Bumped whenever rules or weights change, so findings can be traced to what produced them. */
  readonly version: string;
  detect(text: string): Finding[];
}
