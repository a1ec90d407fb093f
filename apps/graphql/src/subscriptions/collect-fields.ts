import {
  type FieldNode,
  type FragmentDefinitionNode,
  GraphQLIncludeDirective,
  type GraphQLObjectType,
  type GraphQLSchema,
  GraphQLSkipDirective,
  getDirectiveValues,
  isAbstractType,
  Kind,
  type FragmentSpreadNode,
  type InlineFragmentNode,
  type SelectionSetNode,
  typeFromAST,
} from "graphql";

export interface FieldCollection {
  schema: GraphQLSchema;
  fragments: Record<string, FragmentDefinitionNode>;
  /** Coerced variables, as graphql-js's execution has them. */
  variables: Record<string, unknown>;
  /** Set when a @skip or @include read a variable: then the fields collected hold for these variables only. */
  readVariables: boolean;
}

/**
 * The fields a selection set asks of an object type, by response name in document order,
 * fragments and @skip/@include applied: graphql-js's `collectFields` (execution/collectFields.js,
 * not part of its public API) rewritten on its public helpers, so event plans group fields
 * exactly as `execute` does.
 */
export function collectFields(
  collection: FieldCollection,
  type: GraphQLObjectType,
  selectionSets: readonly SelectionSetNode[],
): Map<string, FieldNode[]> {
  const fields = new Map<string, FieldNode[]>();
  const visitedFragments = new Set<string>();
  for (const selectionSet of selectionSets) collectInto({ collection, type, fields, visitedFragments }, selectionSet);
  return fields;
}

interface Walk {
  collection: FieldCollection;
  type: GraphQLObjectType;
  fields: Map<string, FieldNode[]>;
  visitedFragments: Set<string>;
}

function collectInto(walk: Walk, selectionSet: SelectionSetNode): void {
  for (const selection of selectionSet.selections) {
    if (!shouldInclude(walk.collection, selection)) continue;
    if (selection.kind === Kind.FIELD) {
      const name = selection.alias ? selection.alias.value : selection.name.value;
      const existing = walk.fields.get(name);
      if (existing) existing.push(selection);
      else walk.fields.set(name, [selection]);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      if (!conditionMatches(walk, selection)) continue;
      collectInto(walk, selection.selectionSet);
    } else {
      const name = selection.name.value;
      if (walk.visitedFragments.has(name)) continue;
      walk.visitedFragments.add(name);
      const fragment = walk.collection.fragments[name];
      if (!fragment || !conditionMatches(walk, fragment)) continue;
      collectInto(walk, fragment.selectionSet);
    }
  }
}

function shouldInclude(
  collection: FieldCollection,
  node: FieldNode | FragmentSpreadNode | InlineFragmentNode,
): boolean {
  if (
    node.directives?.some((directive) => directive.arguments?.some((argument) => argument.value.kind === Kind.VARIABLE))
  )
    collection.readVariables = true;
  const skip = getDirectiveValues(GraphQLSkipDirective, node, collection.variables);
  if (skip?.if === true) return false;
  const include = getDirectiveValues(GraphQLIncludeDirective, node, collection.variables);
  return include?.if !== false;
}

function conditionMatches(walk: Walk, fragment: FragmentDefinitionNode | InlineFragmentNode): boolean {
  const condition = fragment.typeCondition;
  if (!condition) return true;
  const conditionType = typeFromAST(walk.collection.schema, condition);
  if (conditionType === walk.type) return true;
  if (conditionType && isAbstractType(conditionType)) return walk.collection.schema.isSubType(conditionType, walk.type);
  return false;
}
