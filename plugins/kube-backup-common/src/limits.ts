// Limits the portal's dialogs offer and the backend's routes enforce.

/** Replicas a hydration may ask for: dev/test namespaces are not for full production scale. */
export const MAX_HYDRATION_REPLICAS = 10;
/** Replicas of every scaled workload when a hydration does not say. */
export const DEFAULT_HYDRATION_REPLICAS = 1;

/** Snapshots a listing returns when the request does not say. */
export const DEFAULT_SNAPSHOT_PAGE_SIZE = 50;
/** The most snapshots one listing returns. */
export const MAX_SNAPSHOT_PAGE_SIZE = 500;
