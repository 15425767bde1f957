import knexFactory, { type Knex } from 'knex';

/**
 * Whether the sqlite3 driver loads. It is compiled from source on install
 * (scripts/build-sqlite3.mjs); where that failed, the SQLite suites skip and say why.
 */
export function sqliteAvailable(): boolean {
  try {
    // A synchronous probe: whether the compiled binding loads at all.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('sqlite3');
    return true;
  } catch {
    return false;
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
