import { GraphQLScalarType, Kind, type ValueNode } from "graphql";

/**
 * Any JSON value, for the few fields whose shape belongs to the caller (a JSON Schema,
 * tool parameters, a structured answer). Literals are converted without variables
 * being allowed inside objects, so a JSON value is always self-contained.
 */
export const jsonScalar = new GraphQLScalarType({
  name: "JSON",
  description: "Any JSON value.",
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: (node) => literalToJson(node),
});

function literalToJson(node: ValueNode): unknown {
  switch (node.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return node.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(node.value);
    case Kind.NULL:
      return null;
    case Kind.ENUM:
      return node.value;
    case Kind.LIST:
      return node.values.map(literalToJson);
    case Kind.OBJECT: {
      const object: Record<string, unknown> = {};
      for (const field of node.fields) object[field.name.value] = literalToJson(field.value);
      return object;
    }
    case Kind.VARIABLE:
      // A variable inside a JSON literal would need the operation's variables here;
      // pass the whole JSON value as one variable instead.
      throw new TypeError(
        `JSON literals cannot contain variables ($${node.name.value}); pass the whole value as a variable`,
      );
  }
}
