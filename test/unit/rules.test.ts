// One definition of each rule: the patterns the code tests with are the ones the JSON Schemas (made
// from the types' @pattern tags) and the collector's routes say.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BASES } from '../../src/core/bases';
import { PURPOSE_ID, TEXT_HASH, UUID } from '../../src/core/ids';

const schema = (file: string) => JSON.parse(readFileSync(new URL(`../../src/core/${file}`, import.meta.url), 'utf8'));
const config = schema('config.schema.json');
const entry = schema('entry.schema.json');

describe('one definition of each rule', () => {
  it('purpose ids: the loader check, the full validator and both schemas', () => {
    expect(config.definitions.Purpose.properties.id.pattern).toBe(PURPOSE_ID.source);
    expect(entry.definitions.PurposeId.pattern).toBe(PURPOSE_ID.source);
  });

  it('UUIDs and text hashes: the receipts schema', () => {
    expect(entry.definitions.Uuid.pattern).toBe(UUID.source);
    expect(entry.definitions.TextHash.pattern).toBe(TEXT_HASH.source);
  });

  it('legal bases: the list the loader checks is the type the schema lists', () => {
    expect([...BASES].sort()).toEqual([...config.definitions.LegalBasis.enum].sort());
  });
});
