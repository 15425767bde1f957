// Limits the portal's dialogs offer and the backend's routes enforce.

/** Replicas a hydration may ask for: dev/test namespaces are not for full production scale. */
export const MAX_HYDRATION_REPLICAS = 10;
/** Replicas of every scaled workload when a hydration does not say. */
export const DEFAULT_HYDRATION_REPLICAS = 1;

/** Snapshots a listing returns when the request does not say. */
export const DEFAULT_SNAPSHOT_PAGE_SIZE = 50;
/** The most snapshots one listing returns. */
export const MAX_SNAPSHOT_PAGE_SIZE = 500;

/** The most entries a search by name within a volume returns (it says when there were more). */
export const MAX_FILE_SEARCH_RESULTS = 200;
/** The most paths one files restore request names. */
export const MAX_FILES_RESTORE_PATHS = 100;
