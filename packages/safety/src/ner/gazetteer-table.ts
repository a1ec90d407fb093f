/** What the tagger asks of a gazetteer: a word hash's category bits. A `Map` serves in training. */
export interface Gazetteer {
  readonly size: number;
  get(hash: number): number | undefined;
}

/**
 * The shipped gazetteer as an open-addressing table of typed arrays. Word hashes are uint32,
 * so half of them are above the small-integer range, and a `Map<number, number>` keyed by them
 * boxes and hashes a heap number on every look-up; here a look-up is a multiply, a shift and
 * a probe or two. Same answers as the `Map` it replaces (a later entry of one hash wins).
 */
export function createGazetteerTable(hashes: Uint32Array, masks: Uint16Array): Gazetteer {
  let bits = 4;
  while (1 << bits < hashes.length * 2) bits++;
  const slotMask = (1 << bits) - 1;
  const shift = 32 - bits;
  const keys = new Uint32Array(1 << bits);
  // A mask plus one, so 0 marks an empty slot (a mask can be 0, a hash any value).
  const values = new Uint32Array(1 << bits);
  const slotOf = (hash: number): number => Math.imul(hash, 0x9e3779b1) >>> shift;
  let size = 0;
  for (let index = 0; index < hashes.length; index++) {
    const hash = hashes[index]!;
    let slot = slotOf(hash);
    while (values[slot] !== 0 && keys[slot] !== hash) slot = (slot + 1) & slotMask;
    if (values[slot] === 0) size++;
    keys[slot] = hash;
    values[slot] = masks[index]! + 1;
  }
  return {
    size,
    get(hash: number): number | undefined {
      for (let slot = slotOf(hash); ; slot = (slot + 1) & slotMask) {
        const value = values[slot]!;
        if (value === 0) return undefined;
        if (keys[slot] === hash) return value - 1;
      }
    },
  };
}
