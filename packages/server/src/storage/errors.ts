/**
 * Typed storage errors. Each has a stable `code` that the HTTP layer maps to a status in one place.
 */

/**
 * `storage_full`: the disk (or the size budget) is full; `storage_unavailable`: a write failed
 * for another reason and nothing was acknowledged (retry later); `storage_closed`: shut down;
 * `storage_io`: the database cannot be opened or read.
 */
export type StorageErrorCode = 'storage_full' | 'storage_unavailable' | 'storage_closed' | 'storage_io';

export class StorageError extends Error {
  constructor(
    readonly code: StorageErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StorageError';
  }
}
