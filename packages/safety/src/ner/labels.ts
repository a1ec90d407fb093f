/**
 * The tagger's classes: "O" and, for each entity kind, B- (first token) and I- (inside).
 * Class 0 is O; kind k has B at 1 + 2k and I at 2 + 2k.
 */
export interface LabelSet {
  kinds: readonly string[];
  classCount: number;
}

export function createLabelSet(kinds: readonly string[]): LabelSet {
  return { kinds, classCount: 1 + 2 * kinds.length };
}

export function beginClass(kindIndex: number): number {
  return 1 + 2 * kindIndex;
}

export function insideClass(kindIndex: number): number {
  return 2 + 2 * kindIndex;
}

/** The kind a class belongs to, or -1 for O. */
export function kindIndexOf(classIndex: number): number {
  return classIndex === 0 ? -1 : (classIndex - 1) >> 1;
}

export function isInside(classIndex: number): boolean {
  return classIndex !== 0 && (classIndex - 1) % 2 === 1;
}

/** I-X may only follow B-X or I-X; anything else may follow anything. */
export function isAllowedAfter(previous: number, next: number): boolean {
  if (!isInside(next)) return true;
  return previous !== 0 && kindIndexOf(previous) === kindIndexOf(next);
}
