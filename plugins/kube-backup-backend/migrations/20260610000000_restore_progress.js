// @ts-check

/**
 * Progress and log of a running restore, as hydrations have them.
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('kube_backup_restore_requests', table => {
    table.float('progress').nullable();
    table.text('log').nullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('kube_backup_restore_requests', table => {
    table.dropColumn('log');
    table.dropColumn('progress');
  });
};
