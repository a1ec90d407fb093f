/**
 * The tagger's classes, IO scheme: class 0 is "outside", class k + 1 is "inside an entity of
 * kind k". Without separate begin tags the tagger scores half as many classes; two entities of
 * one kind with nothing between them (rare in text: a comma or "and" separates them) merge.
 */
export interface LabelSet {
  kinds: readonly string[];
  classCount: number;
}

export function createLabelSet(kinds: readonly string[]): LabelSet {
  return { kinds, classCount: 1 + kinds.length };
}

export function classOfKind(kindIndex: number): number {
  return kindIndex + 1;
}

/** The kind a class stands for, or -1 for outside. */
export function kindIndexOf(classIndex: number): number {
  return classIndex - 1;
}
