import { describe, expect, it } from "vitest";
import { BoundedMap } from "./bounded-map.ts";
import { compileSchema } from "./compiled-schemas.ts";

describe("BoundedMap", () => {
  it("evicts the least recently used entry and reports it", () => {
    const evicted: string[] = [];
    const map = new BoundedMap<string, number>(2, (key) => evicted.push(key));
    map.set("a", 1);
    map.set("b", 2);
    expect(map.get("a")).toBe(1);
    map.set("c", 3);
    expect(evicted).toEqual(["b"]);
    expect(map.get("b")).toBeUndefined();
    expect(map.size).toBe(2);
  });
});

describe("compiled schema cache", () => {
  it("compiles a schema once per distinct text, whatever object carries it", () => {
    const first = compileSchema({ type: "object", properties: { cached: { type: "boolean" } } });
    const again = compileSchema(JSON.parse('{"type":"object","properties":{"cached":{"type":"boolean"}}}'));
    const other = compileSchema({ type: "object", properties: { cached: { type: "string" } } });
    expect(again.validate).toBe(first.validate);
    expect(other.validate).not.toBe(first.validate);
  });
});
