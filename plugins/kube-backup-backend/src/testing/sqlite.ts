import knexFactory, { type Knex } from 'knex';

/**
 * Why the sqlite3 driver does not load, or undefined when it does. It is compiled from
 * source on install (scripts/build-sqlite3.mjs); where that failed, the SQLite suites say so.
 */
export function sqliteMissing(): string | undefined {
  try {
    // A synchronous probe: whether the compiled binding loads at all.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('sqlite3');
    return undefined;
  } catch (error) {
    return `the sqlite3 driver does not load (built by scripts/build-sqlite3.mjs on yarn install): ${(error as Error).message.split('\n')[0]}`;
  }
}

/** A fresh in-memory SQLite database, as Backstage uses for development and tests. */
export function newSqliteDatabase(): Knex {
  return knexFactory({
    client: 'sqlite3',
    connection: { filename: ':memory:' },
    useNullAsDefault: true,
    // One connection: every query must see the same in-memory database.
    pool: { min: 1, max: 1 },
  });
}
