/** The executable schema: the SDL files of schema/ with the resolvers. */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import { resolvers } from './resolvers/index.js';

const schemaFolder = fileURLToPath(new URL('../../schema/', import.meta.url));

/** The SDL of every area, in file-name order (the same order the code generator reads). */
export function loadTypeDefs(): string[] {
  return readdirSync(schemaFolder)
    .filter((name) => name.endsWith('.graphql'))
    .sort()
    .map((name) => readFileSync(`${schemaFolder}${name}`, 'utf8'));
}

export function createSchema(): GraphQLSchema {
  return makeExecutableSchema({ typeDefs: loadTypeDefs(), resolvers, inheritResolversFromInterfaces: false });
}
