// @ts-check

/**
 * Why an approved restore wrote nothing (status `nothing-restored`), in a sentence.
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('kube_backup_restore_requests', table => {
    table.text('outcome_message').nullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('kube_backup_restore_requests', table => {
    table.dropColumn('outcome_message');
  });
};
