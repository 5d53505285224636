/**
 * Typed storage errors. Each has a stable `code` that the HTTP layer maps to a status in one place.
 */

export type StorageErrorCode = 'storage_full' | 'storage_closed' | 'storage_io';

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
