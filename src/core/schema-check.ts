// A JSON Schema walker for the subset our generated schemas use ($ref, anyOf, enum, type, properties,
// required, additionalProperties, items, minItems, maxItems, pattern, minimum), reporting every problem with
// its path in words a person can act on. It never evaluates code, so it runs under any CSP.

export interface Issue {
  /** Where, e.g. `config.purposes[2].basis`. */
  path: string;
  message: string;
}

export interface Schema {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  minimum?: number;
}

export const show = (v: unknown) => (v === undefined ? 'nothing' : JSON.stringify(v));
const typeOf = (v: unknown) =>
  v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v;
const A: Record<string, string> = {
  string: 'a text',
  object: 'an object',
  array: 'a list',
  boolean: 'true or false',
  number: 'a number',
  integer: 'a whole number',
  null: 'null',
};
const expected = (s: Schema, resolve: (s: Schema) => Schema): string => {
  s = resolve(s);
  if (s.anyOf) return s.anyOf.map((b) => expected(b, resolve)).join(' or ');
  if (s.enum) return `one of ${s.enum.join(', ')}`;
  if (s.type === 'object' && !s.properties) return 'an object of texts per language';
  return ([] as string[])
    .concat(s.type || 'anything')
    .map((t) => A[t] || t)
    .join(' or ');
};
export const child = (path: string, key: string | number) =>
  typeof key === 'number'
    ? `${path}[${key}]`
    : /^[A-Za-z_$][\w$]*$/.test(key)
      ? `${path}.${key}`
      : `${path}[${JSON.stringify(key)}]`;
const matchesType = (s: Schema, v: unknown) => {
  const t = typeOf(v);
  return !s.type || ([] as string[]).concat(s.type).some((x) => x === t || (x === 'number' && t === 'integer'));
};

/**
 * A field's schema, looked up as an own property: `constructor`, `toString` or `__proto__` are no
 * fields of a schema, though every object inherits them.
 */
const own = <T>(map: Record<string, T> | undefined, key: string): T | undefined =>
  map && Object.hasOwn(map, key) ? map[key] : undefined;

// Compiled once per pattern: the collector checks thousands of entries a second with a few patterns.
const patterns = new Map<string, RegExp>();
const compiled = (pattern: string) => {
  let re = patterns.get(pattern);
  if (!re) patterns.set(pattern, (re = new RegExp(pattern)));
  return re;
};

const walk = (s: Schema, v: unknown, path: string, out: Issue[], resolve: (s: Schema) => Schema): void => {
  s = resolve(s);
  const bad = (want: string) => out.push({ path, message: `${path} must be ${want} (got ${show(v)})` });
  if (s.anyOf) {
    const tries = s.anyOf.map((branch) => {
      const errors: Issue[] = [];
      walk(branch, v, path, errors, resolve);
      return { branch: resolve(branch), errors };
    });
    if (tries.some((t) => !t.errors.length)) return;
    // The branch the value means: the one its `type` field names, else the only one of its JSON type.
    const kind = (v as { type?: unknown } | null)?.type;
    const named = tries.filter((t) => kind !== undefined && own(t.branch.properties, 'type')?.const === kind);
    const sameType = named.length ? named : tries.filter((t) => matchesType(t.branch, v));
    if (sameType.length === 1) out.push(...sameType[0].errors);
    else bad(expected(s, resolve));
    return;
  }
  if (s.enum) {
    if (!s.enum.includes(v)) bad(expected(s, resolve));
    return;
  }
  if ('const' in s && v !== s.const) {
    bad(show(s.const));
    return;
  }
  if (!matchesType(s, v)) {
    bad(expected(s, resolve));
    return;
  }
  if (typeof v === 'string' && s.pattern && !compiled(s.pattern).test(v)) bad(`text matching ${s.pattern}`);
  if (typeof v === 'number' && s.minimum !== undefined && v < s.minimum) bad(`at least ${s.minimum}`);
  if (Array.isArray(v)) {
    if (s.minItems && v.length < s.minItems) bad(`a list of at least ${s.minItems}`);
    if (s.maxItems !== undefined && v.length > s.maxItems) bad(`a list of at most ${s.maxItems}`);
    if (s.items) for (let i = 0; i < v.length; i++) walk(s.items, v[i], child(path, i), out, resolve);
  } else if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    for (const key of s.required || [])
      if (own(o, key) === undefined) out.push({ path: child(path, key), message: `${child(path, key)} is required` });
    for (const key of Object.keys(o)) {
      const p = own(s.properties, key);
      if (p) walk(p, o[key], child(path, key), out, resolve);
      else if (typeof s.additionalProperties === 'object')
        walk(s.additionalProperties, o[key], child(path, key), out, resolve);
      else if (s.additionalProperties === false)
        out.push({
          path: child(path, key),
          message: `${child(path, key)} is not a known field; ${path} takes ${Object.keys(s.properties || {}).join(', ')}`,
        });
    }
  }
};

/** Every place where a value breaks a schema (whose `$ref`s point into its own `definitions`). */
export const schemaIssues = (
  schema: Schema & { definitions?: Record<string, Schema> },
  value: unknown,
  path: string,
) => {
  const resolve = (s: Schema): Schema =>
    s.$ref ? resolve(own(schema.definitions, s.$ref.split('/').pop() as string) as Schema) : s;
  const out: Issue[] = [];
  walk(schema, value, path, out, resolve);
  return out;
};
