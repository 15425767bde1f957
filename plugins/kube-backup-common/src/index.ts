export * from './permissions';
export type * from './types';
