/** Every ingest handler reports what it stored and refused through this one callback. */

import type { CommitResult } from '../storage/types.js';

/**
 * Called once per request with the commit result and the number of points the parser refused
 * (invalid input), so that self-metrics and logs stay the same across wire formats.
 */
export type IngestReporter = (protocol: string, result: CommitResult, invalid: number) => void;
