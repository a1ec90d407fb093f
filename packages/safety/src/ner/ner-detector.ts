import type { Detector, Finding } from "../finding.ts";
import { loadNerModel } from "./load-model.ts";
import type { NerModel } from "./model.ts";
import { createTaggerWorkspace, prepareInput, tagTokens } from "./tagger.ts";
import { tagsToSpans } from "./tags-to-spans.ts";

const name = "ner";
/** Bumped with every retrained model file. */
const version = "1.0.0";

export interface NerDetector extends Detector {
  readonly kinds: readonly string[];
}

/**
 * PERSON, GPE, ORGANIZATION, STREET_ADDRESS, TITLE, NRP and ZIP_CODE from a token tagger: an
 * averaged perceptron over hashed word, shape, affix, context and gazetteer features, trained
 * by scripts/train-ner.ts. The weights load once per process; tagging is one greedy pass.
 */
export function createNerDetector(model: NerModel = loadNerModel()): NerDetector {
  const workspace = createTaggerWorkspace(model.labels.classCount);
  const addressKind = model.labels.kinds.indexOf("STREET_ADDRESS");
  return {
    name,
    version,
    kinds: model.labels.kinds,
    detect(text: string): Finding[] {
      const input = prepareInput(text, { workspace, model });
      tagTokens(input, { workspace, model });
      return tagsToSpans(workspace.tokens, { tags: workspace.tags, text, addressKind }).map((span) => ({
        kind: model.labels.kinds[span.kindIndex] ?? "UNKNOWN",
        start: span.start,
        end: span.end,
        score: 0.8,
        detector: name,
      }));
    },
  };
}
