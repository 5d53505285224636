/** The function table: every PromQL function the engine evaluates, by name. */

import { HISTOGRAM_FUNCTIONS } from './histogram.js';
import { LABEL_FUNCTIONS } from './labels.js';
import { MATH_FUNCTIONS } from './math.js';
import { MISC_FUNCTIONS } from './misc.js';
import { OVER_TIME_FUNCTIONS } from './over_time.js';
import { QUERY_FUNCTIONS } from './query.js';
import { RATE_FUNCTIONS } from './rate.js';
import { TIME_FUNCTIONS } from './time.js';
import type { FunctionDef } from './types.js';

export const FUNCTIONS: ReadonlyMap<string, FunctionDef> = new Map(
  [
    ...RATE_FUNCTIONS,
    ...OVER_TIME_FUNCTIONS,
    ...MATH_FUNCTIONS,
    ...TIME_FUNCTIONS,
    ...LABEL_FUNCTIONS,
    ...MISC_FUNCTIONS,
    ...HISTOGRAM_FUNCTIONS,
    ...QUERY_FUNCTIONS,
  ].map((f) => [f.name, f]),
);
