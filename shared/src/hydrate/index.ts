export { hydrateSnapshot, HYDRATED_FROM_SNAPSHOT_ANNOTATION } from './hydrate-snapshot';
export type * from './types';
