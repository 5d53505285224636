import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRfc3339 } from './timestamp.js';

describe('RFC 3339 timestamps of the native format', () => {
  it('reads nanosecond precision, truncated to the millisecond', () => {
    assert.equal(parseRfc3339('2025-11-18T12:34:56.123456789Z'), Date.UTC(2025, 10, 18, 12, 34, 56, 123));
    assert.equal(parseRfc3339('2025-11-18T12:34:56.9Z'), Date.UTC(2025, 10, 18, 12, 34, 56, 900));
  });

  it('applies numeric offsets', () => {
    assert.equal(parseRfc3339('2025-11-18T14:34:56+02:00'), Date.UTC(2025, 10, 18, 12, 34, 56));
    assert.equal(parseRfc3339('2025-11-18T10:04:56-02:30'), Date.UTC(2025, 10, 18, 12, 34, 56));
  });

  it("returns 0 for Go's zero time, which means now", () => {
    assert.equal(parseRfc3339('0001-01-01T00:00:00Z'), 0);
  });

  it('refuses text that is not a valid RFC 3339 time', () => {
    for (const bad of [
      '2025-11-18',
      '2025-13-01T00:00:00Z',
      '2025-02-30T00:00:00Z',
      '2025-11-18T12:34:56',
      'now',
    ]) {
      assert.equal(parseRfc3339(bad), null, bad);
    }
  });

  it('answers a text repeated, alternated or changed in one character as it does the first time', () => {
    const texts = [
      '2025-11-18T12:34:56Z',
      '2025-11-18T12:34:56Z',
      '2025-11-18T12:34:57Z',
      '2025-02-30T00:00:00Z',
      '2025-02-30T00:00:00Z',
      '2025-11-18T12:34:56Z',
      '0001-01-01T00:00:00Z',
      '2025-11-18T12:34:56Z',
    ];
    const want = [
      Date.UTC(2025, 10, 18, 12, 34, 56),
      Date.UTC(2025, 10, 18, 12, 34, 56),
      Date.UTC(2025, 10, 18, 12, 34, 57),
      null,
      null,
      Date.UTC(2025, 10, 18, 12, 34, 56),
      0,
      Date.UTC(2025, 10, 18, 12, 34, 56),
    ];
    assert.deepEqual(
      texts.map((t) => parseRfc3339(t)),
      want,
    );
  });
});
