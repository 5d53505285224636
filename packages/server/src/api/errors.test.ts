import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RequestError } from '../http/errors.js';
import { IngestError } from '../ingest/errors.js';
import { PromQLError } from '../promql/engine/errors.js';
import { StorageError } from '../storage/errors.js';
import { promErrorTypeOf, statusOf } from './errors.js';

describe('the error table', () => {
  const cases: [Error, number, string][] = [
    [new RequestError('unauthorized', 'x'), 401, 'bad_data'],
    [new RequestError('forbidden_host', 'x'), 403, 'bad_data'],
    [new IngestError('too_many_series', 'x'), 429, 'execution'],
    [new IngestError('payload_too_large', 'x'), 413, 'bad_data'],
    [new StorageError('storage_full', 'x'), 507, 'internal'],
    [new StorageError('storage_closed', 'x'), 503, 'unavailable'],
    [new PromQLError('execution', 'x'), 422, 'execution'],
    [new PromQLError('timeout', 'x'), 503, 'timeout'],
    [new Error('no code: a bug'), 500, 'internal'],
  ];
  for (const [err, status, type] of cases) {
    it(`maps ${(err as { code?: string }).code ?? 'an uncoded error'} to ${status} and ${type} in both envelopes`, () => {
      assert.equal(statusOf(err), status);
      assert.equal(promErrorTypeOf(err), type);
    });
  }
  it('does not read inherited properties as codes', () => {
    assert.equal(statusOf({ code: 'toString' }), 500);
  });
});
