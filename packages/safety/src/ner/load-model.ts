import { readFileSync } from "node:fs";
import { decodeModel, type NerModel } from "./model.ts";

const modelFile = new URL("./weights/ner-model.bin", import.meta.url);
let loaded: NerModel | undefined;

/** The committed model, read and decoded once per process on first use. */
export function loadNerModel(): NerModel {
  loaded ??= decodeModel(readFileSync(modelFile));
  return loaded;
}
