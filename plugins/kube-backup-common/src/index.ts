export { entityOwners } from './ownership';
export * from './permissions';
export type * from './types';
