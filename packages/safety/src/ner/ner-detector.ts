import type { Detector, Finding } from "../finding.ts";
import { loadNerModel } from "./load-model.ts";
import type { NerModel } from "./model.ts";
import { createTaggerWorkspace, prepareInput, tagTokens } from "./tagger.ts";
import { categoryBit } from "./gazetteer-categories.ts";
import { kindIndexOf } from "./labels.ts";
import { tagsToSpans } from "./tags-to-spans.ts";
import { tokenKinds } from "./tokenize.ts";

const NAME_BITS = categoryBit("first-name") | categoryBit("last-name");
const COMMON_WORD = categoryBit("common-word");

const name = "ner";
/** Bumped with every retrained model file. */
const version = "1.0.1";

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
  const personKind = model.labels.kinds.indexOf("PERSON");
  return {
    name,
    version,
    kinds: model.labels.kinds,
    detect(text: string): Finding[] {
      const input = prepareInput(text, { workspace, model });
      tagTokens(input, { workspace, model });
      if (input.tokens.lowerCaseText) dropUnknownLoneNames(input, { tags: workspace.tags, personKind });
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

/**
 * In text without capitals, a name of one word that no name list knows ("envelope please")
 * is dropped: with no capital letter and no list, the tagger has only the word's position to go on.
 */
function dropUnknownLoneNames(
  input: ReturnType<typeof prepareInput>,
  context: { tags: Uint8Array; personKind: number },
): void {
  const { tokens, gazetteerMasks } = input;
  const { tags, personKind } = context;
  const isPerson = (position: number) =>
    position >= 0 && position < tokens.count && tags[position] !== 0 && kindIndexOf(tags[position]!) === personKind;
  for (let position = 0; position < tokens.count; position++) {
    if (!isPerson(position) || isPerson(position - 1) || isPerson(position + 1)) continue;
    if (((gazetteerMasks[position] ?? 0) & NAME_BITS) !== 0) continue;
    let next = position + 1;
    while (next < tokens.count && tokens.kinds[next] !== tokenKinds.word) next++;
    if (next < tokens.count && ((gazetteerMasks[next] ?? 0) & COMMON_WORD) !== 0) tags[position] = 0;
  }
}
