// Deep merge of JSON config objects: an experiment variant states only what differs from its base, a
// run config only what differs from its backbone's preset. Objects merge key by key; arrays and
// plain values replace; null removes the key (so a variant can drop a whole section the base sets).
export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue | undefined;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function deepMerge(base: JsonObject, overrides: JsonObject): JsonObject {
  const out: JsonObject = structuredClone(base);
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    if (value === null) delete out[key];
    else if (isObject(value) && isObject(out[key])) out[key] = deepMerge(out[key] as JsonObject, value);
    else out[key] = structuredClone(value);
  }
  return out;
}
