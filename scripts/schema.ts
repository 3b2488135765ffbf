// Generates the JSON Schemas from the TypeScript types: the config (src/core/config.ts) and the
// entries a browser sends (src/core/types.ts), so that the types, the schemas and the validators
// cannot drift apart.
import { writeFileSync } from 'node:fs';
import { createGenerator } from 'ts-json-schema-generator';

const generate = (path: string, type: string, id: string, title: string, additionalProperties: boolean) => {
  const schema = createGenerator({
    path,
    tsconfig: 'tsconfig.json',
    type,
    additionalProperties,
    skipTypeCheck: true,
    sortProps: false,
  }).createSchema(type);
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: `https://assent.dev/schema/${id}.json`,
    title,
    ...schema,
    $ref: undefined,
    ...(schema.definitions?.[type] as object),
  };
};

/** The config: unknown fields are errors (a typo must not pass silently). */
export const generateConfigSchema = () =>
  generate('src/core/config.ts', 'AssentConfig', 'config', 'Assent config', false);

/** One entry of a batch: extra fields are allowed (receipts may gain fields; none is renamed). */
export const generateEntrySchema = () => generate('src/core/types.ts', 'Entry', 'entry', 'Assent entry', true);

export const SCHEMA_FILE = 'src/core/config.schema.json';
export const ENTRY_SCHEMA_FILE = 'src/core/entry.schema.json';

export const writeSchemas = () => {
  const config = `${JSON.stringify(generateConfigSchema(), null, 2)}\n`;
  const entry = `${JSON.stringify(generateEntrySchema(), null, 2)}\n`;
  writeFileSync(SCHEMA_FILE, config);
  writeFileSync(ENTRY_SCHEMA_FILE, entry);
  return { config, entry };
};

if (process.argv[1]?.endsWith('schema.ts')) {
  writeSchemas();
  console.log(`wrote ${SCHEMA_FILE} and ${ENTRY_SCHEMA_FILE}`);
}
