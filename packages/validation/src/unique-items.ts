import type { FuncKeywordDefinition } from "ajv";

/**
 * `uniqueItems` in linear time. Ajv's own compares every pair of items with a deep
 * equality when they may be objects or arrays: 60,000 distinct objects (a 1 MB answer)
 * take minutes. Here each item becomes a canonical JSON text (keys sorted), and a map
 * finds repeats in one pass. Two JSON values are deeply equal exactly when their
 * canonical texts are. The error is Ajv's own: the last item with an earlier equal
 * one (`i`) and the nearest such earlier item (`j`).
 */
export const linearUniqueItems: FuncKeywordDefinition = {
  keyword: "uniqueItems",
  type: "array",
  schemaType: "boolean",
  errors: true,
  validate: function uniqueItems(schema: boolean, data: unknown[]): boolean {
    const self = uniqueItems as { errors?: unknown[] | null };
    self.errors = null;
    if (!schema || data.length < 2) return true;
    const lastIndexOf = new Map<string, number>();
    let duplicate: { i: number; j: number } | undefined;
    for (let index = 0; index < data.length; index++) {
      const key = canonicalJson(data[index]);
      const earlier = lastIndexOf.get(key);
      if (earlier !== undefined) duplicate = { i: index, j: earlier };
      lastIndexOf.set(key, index);
    }
    if (duplicate === undefined) return true;
    self.errors = [
      {
        keyword: "uniqueItems",
        message: `must NOT have duplicate items (items ## ${duplicate.j} and ${duplicate.i} are identical)`,
        params: duplicate,
      },
    ];
    return false;
  },
};

/** Literal text in the work list of `canonicalJson`, as opposed to a value still to write. */
class Text {
  constructor(readonly text: string) {}
}

/**
 * JSON text with object keys sorted, so equal values always read the same. Iterative:
 * JSON.parse accepts nesting a million deep, which a recursive walk would not survive.
 */
function canonicalJson(root: unknown): string {
  const parts: string[] = [];
  const work: unknown[] = [root];
  while (work.length > 0) {
    const item = work.pop();
    if (item instanceof Text) {
      parts.push(item.text);
    } else if (item === null || typeof item !== "object") {
      parts.push(JSON.stringify(item) ?? "null");
    } else if (Array.isArray(item)) {
      work.push(new Text("]"));
      for (let index = item.length - 1; index >= 0; index--) {
        work.push(item[index]);
        if (index > 0) work.push(new Text(","));
      }
      work.push(new Text("["));
    } else {
      const record = item as Record<string, unknown>;
      const keys = Object.keys(record).sort();
      work.push(new Text("}"));
      for (let index = keys.length - 1; index >= 0; index--) {
        const key = keys[index]!;
        work.push(record[key]);
        work.push(new Text(`${index > 0 ? "," : ""}${JSON.stringify(key)}:`));
      }
      work.push(new Text("{"));
    }
  }
  return parts.join("");
}
