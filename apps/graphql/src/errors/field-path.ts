import { Kind, parse, visit, type ASTNode, type GraphQLError } from "graphql";

/**
 * Finds which input field a GraphQL input error is about, in the same dotted form core
 * uses for BAD_REQUEST ("temperature", "messages.0.content"), relative to the argument or
 * variable. graphql-js names the field in some messages but not others ("Float cannot
 * represent non numeric value"), so literal errors are located in the document. Runs only
 * on errors, never on the hot path.
 */
export function inputFieldOf(error: GraphQLError): string | undefined {
  return fromMessage(error.message) ?? fromDocument(error);
}

function fromMessage(message: string): string | undefined {
  // Variable "$input" got invalid value "hot" at "input.temperature"; ...
  const at = /got invalid value .* at "([^"]+)"/s.exec(message);
  const missing = /Field "(?:\w+\.)?(\w+)" (?:of required type "[^"]+" was not provided|is not defined by type)/.exec(
    message,
  );
  if (at?.[1]) {
    const path = relativePath(at[1].replace(/\[(\d+)\]/g, ".$1"));
    return missing?.[1] ? joinPath(path, missing[1]) : path || undefined;
  }
  if (message.startsWith('Variable "$') && missing?.[1]) return missing[1];
  return undefined;
}

function fromDocument(error: GraphQLError): string | undefined {
  const target = error.nodes?.[0];
  const body = error.source?.body;
  if (!target?.loc || body === undefined || !isValueOrField(target)) return undefined;
  let found: string[] | undefined;
  visit(parse(body, { noLocation: false }), {
    // biome-ignore lint/complexity/useMaxParams: graphql-js's visitor calls enter(node, key, parent, path, ancestors) positionally.
    enter(node, _key, parent, _path, ancestors) {
      if (found || node.kind !== target.kind || node.loc?.start !== target.loc?.start) return undefined;
      found = namesAlong(parent === undefined ? [...ancestors, node] : [...ancestors, parent, node]);
      return false;
    },
  });
  if (!found) return undefined;
  const relative = found.slice(1).join(".");
  // `Field "GenerateInput.messages" of required type ... was not provided` points at the
  // object that lacks the field: name the missing field itself.
  const missing = /Field "\w+\.(\w+)" of required type/.exec(error.message)?.[1];
  if (missing) return joinPath(relative, missing);
  return relative || found[0];
}

/** Argument and object-field names, and list indexes, from the argument down to the node. */
function namesAlong(chain: readonly (ASTNode | readonly ASTNode[])[]): string[] {
  const names: string[] = [];
  for (let index = 0; index < chain.length; index++) {
    const step = chain[index] as ASTNode | readonly ASTNode[];
    if (isNodeList(step)) continue;
    if (step.kind === Kind.ARGUMENT || step.kind === Kind.OBJECT_FIELD) names.push(step.name.value);
    if (step.kind === Kind.LIST) {
      // The chain goes on through the list's `values` array to one of its elements.
      const element = chain[index + 2];
      const position =
        element && !isNodeList(element) ? step.values.indexOf(element as (typeof step.values)[number]) : -1;
      if (position !== -1) names.push(String(position));
    }
  }
  return names;
}

function isNodeList(step: ASTNode | readonly ASTNode[]): step is readonly ASTNode[] {
  return Array.isArray(step);
}

function isValueOrField(node: ASTNode): boolean {
  return node.kind !== Kind.DOCUMENT && node.kind !== Kind.OPERATION_DEFINITION && node.kind !== Kind.FIELD;
}

/** Drops the variable name: "input.messages.0" -> "messages.0". */
function relativePath(path: string): string {
  const dot = path.indexOf(".");
  return dot === -1 ? "" : path.slice(dot + 1);
}

function joinPath(path: string, field: string): string {
  return path === "" ? field : `${path}.${field}`;
}
