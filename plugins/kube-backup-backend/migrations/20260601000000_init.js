// @ts-check

/**
 * Hydration jobs and restore requests of the kube-backup backend plugin.
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('kube_backup_hydrations', table => {
    table.comment('Hydrations of an entity into a dev/test namespace, with status and log');
    table.string('id', 36).primary();
    table.string('entity_ref').notNullable().index();
    table.string('snapshot_id', 64).notNullable();
    table.string('target').notNullable();
    table.string('cluster').notNullable();
    table.string('namespace').notNullable();
    table.string('status', 16).notNullable();
    table.float('progress').nullable();
    table.string('created_by').notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('started_at', { useTz: true }).nullable();
    table.timestamp('finished_at', { useTz: true }).nullable();
    table.text('error').nullable();
    table.text('log').notNullable();
    table.text('result').nullable();
  });
  await knex.schema.createTable('kube_backup_restore_requests', table => {
    table.comment('Requests to restore a snapshot into production, their decision and outcome');
    table.string('id', 36).primary();
    table.string('entity_ref').notNullable().index();
    table.string('snapshot_id', 64).notNullable();
    table.string('cluster').notNullable();
    table.text('scope').notNullable();
    table.text('reason').notNullable();
    table.string('status', 16).notNullable();
    table.string('requested_by').notNullable();
    table.timestamp('requested_at', { useTz: true }).notNullable();
    table.string('decided_by').nullable();
    table.timestamp('decided_at', { useTz: true }).nullable();
    table.text('decision_comment').nullable();
    table.timestamp('started_at', { useTz: true }).nullable();
    table.timestamp('finished_at', { useTz: true }).nullable();
    table.text('outcome').nullable();
    table.text('error').nullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('kube_backup_restore_requests');
  await knex.schema.dropTable('kube_backup_hydrations');
};
