// Generates the JSON Schema of the config from the TypeScript interfaces in src/core/config.ts.
import { writeFileSync } from 'node:fs';
import { createGenerator } from 'ts-json-schema-generator';

export const generateConfigSchema = () => {
  const schema = createGenerator({
    path: 'src/core/config.ts',
    tsconfig: 'tsconfig.json',
    type: 'AssentConfig',
    additionalProperties: false,
    skipTypeCheck: true,
    sortProps: false,
  }).createSchema('AssentConfig');
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://assent.dev/schema/config.json',
    title: 'Assent config',
    ...schema,
    $ref: undefined,
    ...(schema.definitions?.AssentConfig as object),
  };
};

export const SCHEMA_FILE = 'src/core/config.schema.json';

if (process.argv[1]?.endsWith('schema.ts')) {
  writeFileSync(SCHEMA_FILE, `${JSON.stringify(generateConfigSchema(), null, 2)}\n`);
  console.log(`wrote ${SCHEMA_FILE}`);
}
