// @ts-check

/**
 * Restore requests of single files: the claim, paths, target claim and policy (JSON); null
 * for a request of objects.
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('kube_backup_restore_requests', table => {
    table.text('files').nullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('kube_backup_restore_requests', table => {
    table.dropColumn('files');
  });
};
