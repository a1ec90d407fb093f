import {
  defaultFieldResolver,
  type ExecutionArgs,
  type ExecutionResult,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLOutputType,
  getOperationAST,
  getVariableValues,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  type GraphQLLeafType,
  type GraphQLObjectType,
} from "graphql";
import { collectFields, type FieldCollection } from "./collect-fields.ts";
import { passEventThrough } from "./pass-event-through.ts";

/**
 * One subscription event turned into graphql-js's result without `execute`, or `undefined`
 * when the event needs `execute` (a null in a non-null field, a value a scalar cannot
 * serialise, a function where a value was expected): then `execute` answers, errors and all.
 */
export type EventPlan = (event: unknown) => ExecutionResult | undefined;

/** Builds one field's value from its parent object; `miss` when only `execute` can say. */
type FieldPlan = (parent: object) => unknown;

/** The value a plan cannot produce exactly as `execute` would. */
const miss: unique symbol = Symbol("needs execute");

/**
 * A plan for a subscription whose root field passes the event through unchanged
 * (`passEventThrough`) and whose selection reaches only fields on the default resolver:
 * objects, lists, scalars and enums, with aliases, fragments, @skip/@include and __typename.
 * Anything else (custom resolvers, abstract types, isTypeOf, a custom field resolver) gets
 * no plan and every event goes through `execute`, as graphql-js's `subscribe` does.
 */
export function compileEventPlan(args: ExecutionArgs): EventPlan | undefined {
  return compileReusableEventPlan(args).plan;
}

export interface CompiledEventPlan {
  plan: EventPlan | undefined;
  /** No @skip/@include read a variable: the same plan holds for any variables of the same operation. */
  reusable: boolean;
}

/** compileEventPlan, and whether its plan (or the lack of one) may serve other operations of the same document. */
export function compileReusableEventPlan(args: ExecutionArgs): CompiledEventPlan {
  if (args.fieldResolver || args.typeResolver) return { plan: undefined, reusable: false };
  const operation = getOperationAST(args.document, args.operationName);
  const root = args.schema.getSubscriptionType();
  if (operation?.operation !== "subscription" || !root) return { plan: undefined, reusable: true };
  const variables = getVariableValues(args.schema, operation.variableDefinitions ?? [], args.variableValues ?? {});
  if (variables.errors) return { plan: undefined, reusable: false };
  const collection: FieldCollection = {
    schema: args.schema,
    fragments: fragmentsOf(args),
    variables: variables.coerced,
    readVariables: false,
  };
  const plan = compileWith(collection, root, operation);
  return { plan, reusable: !collection.readVariables };
}

function compileWith(
  collection: FieldCollection,
  root: GraphQLObjectType,
  operation: OperationDefinitionNode,
): EventPlan | undefined {
  const rootFields = collectFields(collection, root, [operation.selectionSet]);
  if (rootFields.size !== 1) return undefined;
  const [[responseName, fieldNodes]] = [...rootFields] as [[string, FieldNode[]]];
  const rootField = root.getFields()[(fieldNodes[0] as FieldNode).name.value];
  if (rootField?.resolve !== passEventThrough) return undefined;
  const planEvent = planValue(collection, rootField.type, fieldNodes);
  if (!planEvent) return undefined;
  return (event) => {
    const value = planEvent(event);
    if (value === miss) return undefined;
    const data: Record<string, unknown> = Object.create(null);
    data[responseName] = value;
    return { data };
  };
}

function fragmentsOf(args: ExecutionArgs): Record<string, FragmentDefinitionNode> {
  const fragments: Record<string, FragmentDefinitionNode> = Object.create(null);
  for (const definition of args.document.definitions)
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  return fragments;
}

/** Completes a value of `type` as graphql-js's completeValue does, for the cases a plan covers. */
function planValue(
  collection: FieldCollection,
  type: GraphQLOutputType,
  fieldNodes: readonly FieldNode[],
): ((value: unknown) => unknown) | undefined {
  const required = isNonNullType(type);
  const inner = isNonNullType(type) ? type.ofType : type;
  const complete = planNullable(collection, inner, fieldNodes);
  if (!complete) return undefined;
  return (value) => {
    if (value === null || value === undefined) return required ? miss : null;
    // An Error or a promise in place of a value: execute's error paths and awaiting.
    if (value instanceof Error || typeof (value as { then?: unknown }).then === "function") return miss;
    return complete(value);
  };
}

function planNullable(
  collection: FieldCollection,
  type: GraphQLOutputType,
  fieldNodes: readonly FieldNode[],
): ((value: unknown) => unknown) | undefined {
  if (isLeafType(type)) return planLeaf(type);
  if (isListType(type)) {
    const item = planValue(collection, type.ofType, fieldNodes);
    if (!item) return undefined;
    return (value) => {
      if (!Array.isArray(value)) return miss;
      const items = new Array<unknown>(value.length);
      for (let index = 0; index < value.length; index += 1) {
        const completed = item(value[index]);
        if (completed === miss) return miss;
        items[index] = completed;
      }
      return items;
    };
  }
  if (isObjectType(type)) return planObject(collection, type, fieldNodes);
  return undefined;
}

function planLeaf(type: GraphQLLeafType): (value: unknown) => unknown {
  return (value) => {
    try {
      const serialized = type.serialize(value);
      return serialized === null || serialized === undefined ? miss : serialized;
    } catch {
      return miss;
    }
  };
}

function planObject(
  collection: FieldCollection,
  type: GraphQLObjectType,
  fieldNodes: readonly FieldNode[],
): ((value: unknown) => unknown) | undefined {
  if (type.isTypeOf) return undefined;
  const selectionSets = fieldNodes.flatMap((node) => (node.selectionSet ? [node.selectionSet] : []));
  const fields: Array<{ responseName: string; plan: FieldPlan }> = [];
  const definitions = type.getFields();
  for (const [responseName, nodes] of collectFields(collection, type, selectionSets)) {
    const fieldName = (nodes[0] as FieldNode).name.value;
    if (fieldName === "__typename") {
      fields.push({ responseName, plan: () => type.name });
      continue;
    }
    const definition = definitions[fieldName];
    if (!definition || (definition.resolve && definition.resolve !== defaultFieldResolver)) return undefined;
    const complete = planValue(collection, definition.type, nodes);
    if (!complete) return undefined;
    fields.push({ responseName, plan: (parent) => readProperty(parent, fieldName, complete) });
  }
  return (value) => {
    if (typeof value !== "object" || value === null) return miss;
    const result: Record<string, unknown> = Object.create(null);
    for (const field of fields) {
      const completed = field.plan(value);
      if (completed === miss) return miss;
      result[field.responseName] = completed;
    }
    return result;
  };
}

/** The default resolver's read: a function-valued property would be called with args and info, so execute does it. */
function readProperty(parent: object, fieldName: string, complete: (value: unknown) => unknown): unknown {
  const value = (parent as Record<string, unknown>)[fieldName];
  if (typeof value === "function") return miss;
  return complete(value);
}
