import { resolve } from "node:path";
import { dedupe, readJson, readJsonLines, type Split, splitByHash } from "./convert-files.ts";

export interface LabelledText {
  text: string;
  label: 0 | 1;
  source: string;
  /** BIPIA's attack category, where the source has one. */
  category?: string;
}

/** Every user-turn row of `prompt_injection/*` except the BIPIA clean contexts (documents, not turns). */
export function userTurnRows(sourceDir: string): LabelledText[] {
  const directory = resolve(sourceDir, "prompt_injection");
  const valid = readJson(resolve(directory, "injecguard_valid.json")) as {
    prompt: string;
    label: number;
    source: string;
  }[];
  const notInject = readJson(resolve(directory, "injecguard_NotInject_one.json")) as { prompt: string }[];
  const bipia = readJson(resolve(directory, "injecguard_BIPIA_text.json")) as Record<string, string[]>;
  const pint = readJsonLines(resolve(directory, "pint_example.jsonl")) as {
    text: string;
    label: number;
    category: string;
  }[];
  // valid.json repeats some BIPIA attacks without their category: name it from BIPIA's own file.
  const categoryOf = new Map(
    Object.entries(bipia).flatMap(([category, texts]) => texts.map((text) => [text, category] as const)),
  );
  const rows: LabelledText[] = [
    ...valid.map((row) => {
      const category = categoryOf.get(row.prompt);
      return {
        text: row.prompt,
        label: toLabel(row.label),
        source: row.source,
        ...(category === undefined ? {} : { category }),
      };
    }),
    ...notInject.map((row) => ({ text: row.prompt, label: 0 as const, source: "NotInject_one" })),
    ...Object.entries(bipia).flatMap(([category, texts]) =>
      texts.map((text) => ({ text, label: 1 as const, source: "BIPIA_text", category })),
    ),
    ...pint.map((row) => ({ text: row.text, label: toLabel(row.label), source: `PINT_${row.category}` })),
  ];
  return dedupe(rows, (row) => row.text);
}

/** The user-turn split; the document task inserts the same split's attacks, so no attack crosses over. */
export function userTurnSplit(sourceDir: string): Split<LabelledText> {
  return splitByHash(userTurnRows(sourceDir), {
    key: (row) => row.text,
    stratum: (row) => `${row.label}:${row.source.replace(/_(one|two|three)$/, "")}`,
  });
}

function toLabel(value: number): 0 | 1 {
  return value === 1 ? 1 : 0;
}
