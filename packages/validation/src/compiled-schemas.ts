import { createHash } from "node:crypto";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { BoundedMap } from "./bounded-map.ts";
import { badSchema, measureSchema, type SchemaLimits } from "./schema-limits.ts";
import { isStrictCompatible } from "./strict-compatible.ts";

/** A schema compiled once and everything derived from it that requests reuse. */
export interface CompiledSchema {
  validate: ValidateFunction;
  /** The schema as sent upstream in `response_format` (no `$schema` key). */
  responseSchema: Record<string, unknown>;
  /** OpenAI's strict mode accepts it: every object closed and every property required. */
  strictCompatible: boolean;
  /** `response_format: json_schema` needs an object at the root. */
  rootIsObject: boolean;
  /** The schema's JSON text, for prompt instructions. */
  text: string;
  /** Kept so eviction can drop Ajv's own registration of the schema. */
  release: () => void;
}

type AjvInstance = Ajv | Ajv2020;
type Dialect = "2020-12" | "draft-07";

const CACHE_CAPACITY = 256;
// Ajv keeps its own cache keyed by schema object; evicting our entry drops that too.
const compiled = new BoundedMap<string, CompiledSchema>(CACHE_CAPACITY, (_key, entry) => entry.release());
const instances: Partial<Record<Dialect, AjvInstance>> = {};

function ajvFor(dialect: Dialect): AjvInstance {
  let ajv = instances[dialect];
  if (ajv === undefined) {
    // strict: false so vendor keywords (OpenAPI's `nullable`, docs keywords) do not throw;
    // malformed schemas are still caught by meta-schema validation below.
    const options = { allErrors: true, strict: false, logger: false } as const;
    ajv = dialect === "2020-12" ? new Ajv2020(options) : new Ajv(options);
    addFormats.default(ajv);
    instances[dialect] = ajv;
  }
  return ajv;
}

/** Which Ajv dialect a schema declares; undefined when it declares none. */
function declaredDialect(schema: Record<string, unknown>): Dialect | undefined {
  const declared = schema.$schema;
  if (declared === undefined) return undefined;
  if (typeof declared === "string") {
    if (declared.includes("2020-12")) return "2020-12";
    if (declared.includes("draft-07")) return "draft-07";
  }
  throw badSchema(
    `structured.schema declares an unsupported $schema: ${String(declared)} (use draft 2020-12 or 07)`,
    "unsupported-dialect",
  );
}

/** Validates against the meta-schema; an undeclared dialect tries 2020-12, then draft-07. */
function chooseDialect(schema: Record<string, unknown>): Dialect {
  const declared = declaredDialect(schema);
  const candidates: Dialect[] = declared === undefined ? ["2020-12", "draft-07"] : [declared];
  let firstErrors: ErrorObject[] | null | undefined;
  for (const dialect of candidates) {
    const ajv = ajvFor(dialect);
    if (ajv.validateSchema(schema) === true) return dialect;
    firstErrors ??= ajv.errors;
  }
  const reason = ajvFor(candidates[0] ?? "2020-12").errorsText(firstErrors, { dataVar: "schema" });
  throw badSchema(`structured.schema is not a valid JSON Schema: ${reason}`, "invalid-schema");
}

function compileWith(ajv: AjvInstance, schema: Record<string, unknown>): ValidateFunction {
  try {
    return ajv.compile(schema);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // The same $id sent again with a different body: replace the old registration.
    if (typeof schema.$id === "string" && message.includes("already exists")) {
      ajv.removeSchema(schema.$id);
      return compileWith(ajv, schema);
    }
    throw badSchema(`structured.schema does not compile: ${message}`, "invalid-schema");
  }
}

/**
 * Checks limits and validity of a schema and returns its compiled validator, compiled
 * once per distinct schema text (bounded cache keyed by a hash of that text).
 */
export function compileSchema(schema: unknown, limits?: SchemaLimits): CompiledSchema {
  const text = measureSchema(schema, limits);
  const key = createHash("sha1").update(text).digest("base64");
  const cached = compiled.get(key);
  if (cached !== undefined) return cached;

  const schemaObject = JSON.parse(text) as Record<string, unknown>;
  const dialect = chooseDialect(schemaObject);
  const ajv = ajvFor(dialect);
  const validate = compileWith(ajv, schemaObject);
  const { $schema: _dialect, ...responseSchema } = schemaObject;
  const entry: CompiledSchema = {
    validate,
    responseSchema,
    strictCompatible: isStrictCompatible(schemaObject),
    rootIsObject: schemaObject.type === "object",
    text,
    release: () => ajv.removeSchema(schemaObject),
  };
  compiled.set(key, entry);
  return entry;
}
