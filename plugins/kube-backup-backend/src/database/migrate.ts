import { resolvePackagePath } from '@backstage/backend-plugin-api';
import type { Knex } from 'knex';

const migrationsDir = resolvePackagePath(
  '@kube-backup/backstage-plugin-kube-backup-backend',
  'migrations',
);

/** Brings the plugin's tables up to date (knex migrations shipped in the package). */
export async function applyMigrations(knex: Knex): Promise<void> {
  await knex.migrate.latest({
    directory: migrationsDir,
    tableName: 'kube_backup_knex_migrations',
    loadExtensions: ['.js'],
  });
}
