import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { batchRows } from '../../../test/support/batch.js';
import { labelsToString } from '../../model/labels.js';
import { IngestError } from '../errors.js';
import { DEFAULT_INGEST_LIMITS } from '../limits.js';
import { parseLineProtocol, precisionFactor } from './parse.js';

describe('Influx line protocol', () => {
  it('fields become <measurement>_<field> series with the tags as labels', () => {
    const text = [
      'cpu,host=web-1,cpu=cpu0 usage_idle=97.5,usage_user=1.25 1700000000000000000',
      'mem,host=web\\ 1 used=1024i,free=12u,ok=true,note="a b, c=d" 1700000000000000000',
      '# a comment',
      'disk\\,x,path=/var total=5',
    ].join('\n');
    const p = parseLineProtocol(text, DEFAULT_INGEST_LIMITS, precisionFactor(null), 42);
    assert.deepEqual(p.issues, []);
    const rows = batchRows(p).map((r) => `${labelsToString(r.labels)} ${r.v} ${r.t}`);
    assert.deepEqual(rows, [
      'cpu_usage_idle{cpu="cpu0", host="web-1"} 97.5 1700000000000',
      'cpu_usage_user{cpu="cpu0", host="web-1"} 1.25 1700000000000',
      'mem_used{host="web 1"} 1024 1700000000000',
      'mem_free{host="web 1"} 12 1700000000000',
      'mem_ok{host="web 1"} 1 1700000000000',
      'disk_x_total{path="/var"} 5 42',
    ]);
  });

  it('precision scales timestamps; a bad line is reported, the others kept', () => {
    const p = parseLineProtocol(
      'a v=1 1700000000\nb\nc v=zz\nd v=2 12x\ne v=3',
      DEFAULT_INGEST_LIMITS,
      precisionFactor('s'),
      7,
    );
    assert.deepEqual(
      p.issues.map((i) => i.where),
      ['line 2', 'line 3', 'line 4'],
    );
    assert.deepEqual([p.timeOf(0), p.timeOf(1)], [1700000000000, 7]);
    assert.throws(
      () => precisionFactor('weeks'),
      (e: unknown) => e instanceof IngestError && e.code === 'bad_request',
    );
  });
});
