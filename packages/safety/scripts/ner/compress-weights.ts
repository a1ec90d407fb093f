/**
 * Keeps the `rowBudget` feature rows whose largest weight is largest, and quantises each row to
 * int8 with its own scale (the row's largest magnitude maps to 127): one scale for all rows
 * would either clip the strong rows or round the weak ones to nothing.
 */
export function compressWeights(
  weights: Float32Array,
  shape: { classCount: number; rowBudget: number },
): { buckets: Uint32Array; quantised: Int8Array; scales: Float32Array } {
  const { classCount, rowBudget } = shape;
  const rowCount = weights.length / classCount;
  const strengths: { row: number; strength: number }[] = [];
  for (let row = 0; row < rowCount; row++) {
    let strength = 0;
    for (let label = 0; label < classCount; label++)
      strength = Math.max(strength, Math.abs(weights[row * classCount + label] ?? 0));
    if (strength > 0) strengths.push({ row, strength });
  }
  strengths.sort((left, right) => right.strength - left.strength || left.row - right.row);
  const kept = strengths.slice(0, rowBudget).sort((left, right) => left.row - right.row);
  const rows: number[] = [];
  const values: number[] = [];
  const scales: number[] = [];
  for (const { row, strength } of kept) {
    rows.push(row);
    scales.push(strength / 127);
    for (let label = 0; label < classCount; label++) {
      values.push(Math.round(((weights[row * classCount + label] ?? 0) * 127) / strength));
    }
  }
  return { buckets: Uint32Array.from(rows), quantised: Int8Array.from(values), scales: Float32Array.from(scales) };
}
