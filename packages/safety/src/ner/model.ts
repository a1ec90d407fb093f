import { createGazetteerTable, type Gazetteer } from "./gazetteer-table.ts";
import { createLabelSet, type LabelSet } from "./labels.ts";

/**
 * A trained tagger as it is used: one dense row of int16 weights per feature bucket (zeros where
 * the feature carries none), so scoring a feature is one memory access, and the gazetteer
 * (word hash -> category bits). All rows share one scale, which argmax does not need.
 */
export interface NerModel {
  labels: LabelSet;
  /** log2 of the feature hash space. */
  hashBits: number;
  /** Entries per bucket row: the class count rounded up to a multiple of 8. */
  stride: number;
  /** buckets x stride int16 weights. */
  table: Int16Array;
  gazetteer: Gazetteer;
}

/** What the file holds, before the bucket index is built. */
export interface NerModelParts {
  kinds: readonly string[];
  hashBits: number;
  buckets: Uint32Array;
  weights: Int8Array;
  scales: Float32Array;
  gazetteerHashes: Uint32Array;
  gazetteerMasks: Uint16Array;
}

const magic = 0x52454e4b; // "KNER"
const formatVersion = 2;

/**
 * File layout, little-endian: magic, format version, header length, header JSON ({kinds,
 * hashBits, rows, gazetteerSize}), padding to 4 bytes, then bucket ids (uint32 x rows), row
 * scales (float32 x rows), weights (int8 x rows x classes), padding to 4 bytes, gazetteer
 * hashes (uint32) and masks (uint16).
 */
export function encodeModel(parts: NerModelParts): Uint8Array {
  const header = new TextEncoder().encode(
    JSON.stringify({
      kinds: parts.kinds,
      hashBits: parts.hashBits,
      rows: parts.buckets.length,
      gazetteerSize: parts.gazetteerHashes.length,
    }),
  );
  const align = (value: number): number => (value + 3) & ~3;
  const headerEnd = align(12 + header.length);
  const scalesStart = headerEnd + parts.buckets.length * 4;
  const weightsStart = scalesStart + parts.buckets.length * 4;
  const gazetteerStart = align(weightsStart + parts.weights.length);
  const masksStart = gazetteerStart + parts.gazetteerHashes.length * 4;
  const bytes = new Uint8Array(masksStart + parts.gazetteerMasks.length * 2);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, magic, true);
  view.setUint32(4, formatVersion, true);
  view.setUint32(8, header.length, true);
  bytes.set(header, 12);
  for (let row = 0; row < parts.buckets.length; row++) {
    view.setUint32(headerEnd + row * 4, parts.buckets[row] ?? 0, true);
    view.setFloat32(scalesStart + row * 4, parts.scales[row] ?? 0, true);
  }
  bytes.set(new Uint8Array(parts.weights.buffer, parts.weights.byteOffset, parts.weights.length), weightsStart);
  for (let index = 0; index < parts.gazetteerHashes.length; index++) {
    view.setUint32(gazetteerStart + index * 4, parts.gazetteerHashes[index] ?? 0, true);
    view.setUint16(masksStart + index * 2, parts.gazetteerMasks[index] ?? 0, true);
  }
  return bytes;
}

export function decodeModel(bytes: Uint8Array): NerModel {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== magic || view.getUint32(4, true) !== formatVersion) {
    throw new Error("not a Keel NER model file of format version 2");
  }
  const headerLength = view.getUint32(8, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerLength))) as {
    kinds: string[];
    hashBits: number;
    rows: number;
    gazetteerSize: number;
  };
  const labels = createLabelSet(header.kinds);
  const align = (value: number): number => (value + 3) & ~3;
  const headerEnd = align(12 + headerLength);
  const scalesStart = headerEnd + header.rows * 4;
  const weightsStart = scalesStart + header.rows * 4;
  const gazetteerStart = align(weightsStart + header.rows * labels.classCount);
  const masksStart = gazetteerStart + header.gazetteerSize * 4;
  const stride = (labels.classCount + 7) & ~7;
  const table = new Int16Array((1 << header.hashBits) * stride);
  let largestScale = 0;
  for (let row = 0; row < header.rows; row++) {
    largestScale = Math.max(largestScale, view.getFloat32(scalesStart + row * 4, true));
  }
  // int8 x row scale, re-expressed on one int16 scale: the strongest row's 127 becomes 32,000.
  const unit = (largestScale * 127) / 32000;
  for (let row = 0; row < header.rows; row++) {
    const base = view.getUint32(headerEnd + row * 4, true) * stride;
    const factor = view.getFloat32(scalesStart + row * 4, true) / unit;
    for (let label = 0; label < labels.classCount; label++) {
      const byte = bytes[weightsStart + row * labels.classCount + label] ?? 0;
      table[base + label] = Math.round(((byte << 24) >> 24) * factor);
    }
  }
  const hashes = new Uint32Array(header.gazetteerSize);
  const masks = new Uint16Array(header.gazetteerSize);
  for (let index = 0; index < header.gazetteerSize; index++) {
    hashes[index] = view.getUint32(gazetteerStart + index * 4, true);
    masks[index] = view.getUint16(masksStart + index * 2, true);
  }
  const gazetteer = createGazetteerTable(hashes, masks);
  return { labels, hashBits: header.hashBits, stride, table, gazetteer };
}
