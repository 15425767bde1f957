export { hydrateSnapshot } from './hydrate-snapshot';
export {
  HYDRATED_FROM_SNAPSHOT_ANNOTATION,
  HYDRATED_SELECTION_ANNOTATION,
  hydratedFromLabelValue,
} from './labels';
export type * from './types';
