import { coreServices, createBackendPlugin } from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { kubeBackupPermissions } from '@kube-backup/backstage-plugin-kube-backup-common';
import { readKubeBackupConfig } from './config';
import { HydrationStore } from './database/HydrationStore';
import { applyMigrations } from './database/migrate';
import { RestoreRequestStore } from './database/RestoreRequestStore';
import { createRouter } from './router';
import { AccessPolicy } from './service/AccessPolicy';
import { ClusterService } from './service/ClusterService';
import { coreEngine } from './service/engine';
import { EntityResolver } from './service/EntityResolver';
import { FilesService } from './service/FilesService';
import { HydrationService } from './service/HydrationService';
import { JobRunner } from './service/JobRunner';
import { RestoreService } from './service/RestoreService';
import { SnapshotService } from './service/SnapshotService';

/**
 * The kube-backup backend plugin: an entity's snapshots and the files of their volumes,
 * hydrations and restore requests.
 */
export const kubeBackupPlugin = createBackendPlugin({
  pluginId: 'kube-backup',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        userInfo: coreServices.userInfo,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
        lifecycle: coreServices.lifecycle,
        catalog: catalogServiceRef,
      },
      async init(deps) {
        const config = readKubeBackupConfig(deps.config);
        deps.permissionsRegistry.addPermissions(kubeBackupPermissions);

        const knex = await deps.database.getClient();
        if (!deps.database.migrations?.skip) await applyMigrations(knex);
        const hydrations = new HydrationStore(knex);
        const restores = new RestoreRequestStore(knex);
        const interrupted =
          (await hydrations.failInterrupted()) + (await restores.failInterrupted());
        if (interrupted > 0) {
          deps.logger.warn(
            `${interrupted} kube-backup jobs were cut short by a restart; marked failed`,
          );
        }

        const snapshots = new SnapshotService(config, deps.logger);
        const clusters = new ClusterService(config.clusters);
        const jobs = new JobRunner({ auditor: deps.auditor, logger: deps.logger });
        deps.lifecycle.addShutdownHook(async () => {
          await jobs.idle();
          await snapshots.close();
          await clusters.close();
        });

        const policy = new AccessPolicy({
          config,
          permissions: deps.permissions,
          userInfo: deps.userInfo,
        });
        const entities = new EntityResolver({
          httpAuth: deps.httpAuth,
          catalog: deps.catalog,
          namespaceOwners: config.namespaceOwners,
        });
        const shared = {
          policy,
          entities,
          snapshots,
          clusters,
          runner: jobs,
          engine: coreEngine,
          volumes: config.volumes,
        };
        deps.httpRouter.use(
          createRouter({
            auditor: deps.auditor,
            policy,
            entities,
            snapshots,
            hydrations: new HydrationService({
              ...shared,
              store: hydrations,
              protectedNamespaces: config.protectedNamespaces,
            }),
            restores: new RestoreService({
              ...shared,
              store: restores,
              productionCluster: config.productionCluster,
            }),
            files: new FilesService({
              ...shared,
              productionCluster: config.productionCluster,
            }),
          }),
        );
      },
    });
  },
});
