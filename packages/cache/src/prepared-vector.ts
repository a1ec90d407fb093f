/**
 * A query or stored vector readied once for the index: float32 values, the places of its
 * non-zero components, and (filled in when first needed) its sign code. The local
 * embedder's vectors are mostly zeros (a prompt touches a few dozen of 512 places), so a
 * dot product over the non-zero places only is several times cheaper than over all of
 * them; the search and the store after a miss share one preparation (and one sign code).
 */
export interface PreparedVector {
  readonly values: Float32Array;
  /** Places of the non-zero components, ascending. */
  readonly nonZero: Int32Array;
  /**
   * The non-zero places split by `place % 4` (places past the last multiple of four go with
   * lane 0, last), so the sparse dot product adds exactly what the dense one adds to each of
   * its four running sums, in the same order: the same bits. Undefined for a dense vector.
   */
  readonly lanes: readonly [Int32Array, Int32Array, Int32Array, Int32Array] | undefined;
  /** The sign code, once computed (search of a large partition, or the add). */
  code?: Uint32Array;
}

export function prepareVector(vector: readonly number[] | Float32Array): PreparedVector {
  const values = vector instanceof Float32Array ? vector : Float32Array.from(vector);
  // Counted first, then filled: typed arrays of the right size, no intermediate lists.
  const mainEnd = values.length - (values.length % 4);
  const laneOf = (place: number) => (place >= mainEnd ? 0 : place % 4);
  const counts = [0, 0, 0, 0];
  let total = 0;
  for (let place = 0; place < values.length; place++)
    if (values[place] !== 0) {
      total++;
      counts[laneOf(place)]!++;
    }
  const nonZero = new Int32Array(total);
  // Dense vectors (a model's embeddings) keep the unrolled dense loop.
  const sparse = total * 2 <= values.length;
  const lanes = sparse ? counts.map((count) => new Int32Array(count)) : undefined;
  const filled = [0, 0, 0, 0];
  for (let place = 0, at = 0; place < values.length; place++) {
    if (values[place] === 0) continue;
    nonZero[at++] = place;
    if (lanes) {
      const lane = laneOf(place);
      lanes[lane]![filled[lane]!++] = place;
    }
  }
  return { values, nonZero, lanes: lanes as [Int32Array, Int32Array, Int32Array, Int32Array] | undefined };
}

/**
 * Dot product of `query` with the vector stored at `offset` in `data`, in four running sums
 * (by place % 4, the remainder into the first). A zero component adds ±0, which changes no
 * sum, so the sparse loop returns exactly the dense loop's result.
 */
export function dotAt(data: Float32Array, offset: number, query: PreparedVector): number {
  const { values, lanes } = query;
  if (lanes) {
    // 0 + first + second + third + fourth: the dense loop's final sum, term for term.
    let total = 0;
    for (const lane of lanes) {
      let sum = 0;
      for (let index = 0; index < lane.length; index++) {
        const place = lane[index]!;
        sum += data[offset + place]! * values[place]!;
      }
      total += sum;
    }
    return total;
  }
  const length = values.length;
  let first = 0;
  let second = 0;
  let third = 0;
  let fourth = 0;
  let index = 0;
  for (; index + 3 < length; index += 4) {
    first += data[offset + index]! * values[index]!;
    second += data[offset + index + 1]! * values[index + 1]!;
    third += data[offset + index + 2]! * values[index + 2]!;
    fourth += data[offset + index + 3]! * values[index + 3]!;
  }
  for (; index < length; index++) first += data[offset + index]! * values[index]!;
  return first + second + third + fourth;
}
