/**
 * node-llama-cpp constrains a function call's parameters with a grammar built from a subset of JSON Schema
 * (its GbnfJsonSchema). This maps a tool's JSON Schema onto that subset: `anyOf` becomes `oneOf`, keywords
 * the grammar cannot express (pattern, minimum, maximum, ...) are dropped (the tool layer still validates
 * the arguments against the full schema), and a schema without a type accepts any scalar.
 */

type Schema = Record<string, unknown>;

const SCALAR_TYPES = ['string', 'number', 'integer', 'boolean', 'null'];
const STRING_FORMATS = ['date-time', 'time', 'date'];

function isSchema(value: unknown): value is Schema {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function withDescription(out: Schema, schema: Schema): Schema {
  if (typeof schema['description'] === 'string') out['description'] = schema['description'];
  return out;
}

export function toGbnfJsonSchema(schema: unknown): Schema {
  if (!isSchema(schema)) return { type: SCALAR_TYPES };
  if ('const' in schema) return withDescription({ const: schema['const'] }, schema);
  if (Array.isArray(schema['enum'])) return withDescription({ enum: schema['enum'] }, schema);
  const alternatives = schema['oneOf'] ?? schema['anyOf'];
  if (Array.isArray(alternatives)) return withDescription({ oneOf: alternatives.map(toGbnfJsonSchema), ...defs(schema) }, schema);
  if (typeof schema['$ref'] === 'string') return withDescription({ $ref: schema['$ref'], ...defs(schema) }, schema);

  const type = schema['type'];
  if (type === 'object' || (type === undefined && isSchema(schema['properties']))) {
    const out: Schema = { type: 'object', ...defs(schema) };
    if (isSchema(schema['properties'])) {
      out['properties'] = Object.fromEntries(Object.entries(schema['properties']).map(([key, value]) => [key, toGbnfJsonSchema(value)]));
    }
    if (Array.isArray(schema['required'])) out['required'] = schema['required'];
    const additional = schema['additionalProperties'];
    if (typeof additional === 'boolean') out['additionalProperties'] = additional;
    else if (isSchema(additional)) out['additionalProperties'] = toGbnfJsonSchema(additional);
    for (const key of ['minProperties', 'maxProperties']) if (typeof schema[key] === 'number') out[key] = schema[key];
    return withDescription(out, schema);
  }
  if (type === 'array') {
    const out: Schema = { type: 'array', ...defs(schema) };
    if (isSchema(schema['items'])) out['items'] = toGbnfJsonSchema(schema['items']);
    if (Array.isArray(schema['prefixItems'])) out['prefixItems'] = schema['prefixItems'].map(toGbnfJsonSchema);
    for (const key of ['minItems', 'maxItems']) if (typeof schema[key] === 'number') out[key] = schema[key];
    return withDescription(out, schema);
  }
  if (type === 'string') {
    const out: Schema = { type: 'string' };
    if (typeof schema['format'] === 'string' && STRING_FORMATS.includes(schema['format'])) out['format'] = schema['format'];
    else for (const key of ['minLength', 'maxLength']) if (typeof schema[key] === 'number') out[key] = schema[key];
    return withDescription(out, schema);
  }
  if (typeof type === 'string' && SCALAR_TYPES.includes(type)) return withDescription({ type }, schema);
  if (Array.isArray(type)) {
    const scalars = type.filter((item): item is string => typeof item === 'string' && SCALAR_TYPES.includes(item));
    if (scalars.length === type.length) return withDescription({ type: scalars }, schema);
    return withDescription({ oneOf: type.map((item) => toGbnfJsonSchema({ ...schema, type: item })) }, schema);
  }
  return withDescription({ type: SCALAR_TYPES }, schema);
}

function defs(schema: Schema): Schema {
  if (!isSchema(schema['$defs'])) return {};
  return { $defs: Object.fromEntries(Object.entries(schema['$defs']).map(([key, value]) => [key, toGbnfJsonSchema(value)])) };
}
