// Checking an entry a browser sent (SPEC §6) against the schema generated from the types in
// types.ts: the collector's validator, shared so that browser and server agree on one shape.
import schema from './entry.schema.json';
import { type Issue, type Schema, schemaIssues } from './schema-check';

/** Every problem of one entry of a batch, each with its path (`entry.purposes[0].granted`). */
export const entryIssues = (entry: unknown): Issue[] => schemaIssues(schema as Schema, entry, 'entry');
