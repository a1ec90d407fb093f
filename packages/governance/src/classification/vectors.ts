import { KeelError } from "@keel/spec";

/** A unit-length copy of a vector; BAD_REQUEST (naming `field`) for an empty, non-finite or all-zero one. */
export function normalise(vector: readonly number[], field: string): Float64Array {
  if (!Array.isArray(vector) || vector.length === 0) {
    throw new KeelError("BAD_REQUEST", `${field} must be a non-empty list of numbers`, { details: { field } });
  }
  let squares = 0;
  for (const value of vector) {
    if (typeof value !== "number" || !Number.isFinite(value)) {
      throw new KeelError("BAD_REQUEST", `${field} holds a value that is not a finite number`, { details: { field } });
    }
    squares += value * value;
  }
  if (squares === 0) {
    throw new KeelError("BAD_REQUEST", `${field} is all zeros: it has no direction to compare`, { details: { field } });
  }
  const length = Math.sqrt(squares);
  return Float64Array.from(vector, (value) => value / length);
}

/** Dot product; of two unit vectors, their cosine similarity. */
export function dot(left: Float64Array, right: Float64Array): number {
  let sum = 0;
  for (let index = 0; index < left.length; index++) sum += (left[index] as number) * (right[index] as number);
  return sum;
}

/** The unit-length mean of unit vectors: the direction a label's examples share. */
export function centroid(vectors: Float64Array[]): Float64Array {
  const first = vectors[0] as Float64Array;
  const sum = new Float64Array(first.length);
  for (const vector of vectors)
    for (let index = 0; index < sum.length; index++) sum[index] = (sum[index] as number) + (vector[index] as number);
  let squares = 0;
  for (const value of sum) squares += value * value;
  // Examples pointing in opposite directions can cancel out; the zero mean then matches nothing.
  if (squares === 0) return sum;
  const length = Math.sqrt(squares);
  return sum.map((value) => value / length);
}
