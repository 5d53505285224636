import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Counter, Histogram, Registry } from 'prom-client';
import { ProtoWriter } from '../protobuf/writer.js';
import { parseDelimitedProtobuf } from './protobuf.js';
import { parseTextExposition } from './text.js';

describe('Prometheus exposition parsing', () => {
  it("text: prom-client's own output, with HELP, TYPE, escapes and histogram suffixes", async () => {
    const reg = new Registry();
    const c = new Counter({
      name: 'jobs_total',
      help: 'Jobs "done"\\n.',
      labelNames: ['kind'],
      registers: [reg],
    });
    const h = new Histogram({ name: 'job_seconds', help: 'Time.', buckets: [1, 5], registers: [reg] });
    c.inc({ kind: 'a"b\\c\nd' }, 3);
    h.observe(2);
    const e = parseTextExposition(await reg.metrics());
    assert.deepEqual(e.issues, []);
    const jobs = e.families.find((f) => f.name === 'jobs_total')!;
    assert.equal(jobs.type, 'counter');
    assert.equal(jobs.help, 'Jobs "done"\\n.');
    assert.deepEqual(jobs.samples, [
      { name: 'jobs_total', labels: [{ name: 'kind', value: 'a"b\\c\nd' }], value: 3, timestamp: null },
    ]);
    const hist = e.families.find((f) => f.name === 'job_seconds')!;
    assert.equal(hist.type, 'histogram');
    assert.deepEqual(
      hist.samples.map((s) => `${s.name}${s.labels.map((l) => `${l.name}=${l.value}`).join(',')} ${s.value}`),
      [
        'job_seconds_bucketle=1 0',
        'job_seconds_bucketle=5 1',
        'job_seconds_bucketle=+Inf 1',
        'job_seconds_sum 2',
        'job_seconds_count 1',
      ],
    );
  });

  it('text: malformed lines are reported by line number; special values and timestamps parse', () => {
    const e = parseTextExposition(
      'a 1\nb{x="1" 2\nc NaN 1700000000000\nd +Inf\ne{x="\\q"} 1\nf one\n# TYPE g nonsense\n',
    );
    assert.deepEqual(
      e.issues.map((i) => i.field),
      ['line 2', 'line 5', 'line 6', 'line 7'],
    );
    const values = e.families.flatMap((f) => f.samples.map((s) => [s.name, s.value, s.timestamp]));
    assert.deepEqual(values, [
      ['a', 1, null],
      ['c', Number.NaN, 1700000000000],
      ['d', Number.POSITIVE_INFINITY, null],
    ]);
  });

  it('delimited protobuf: counters, gauges and histograms; garbage is a bad_request', () => {
    const w = new ProtoWriter();
    const fam = new ProtoWriter();
    fam.string(1, 'temp');
    fam.varintField(3, 1); // GAUGE
    let m = fam.beginMessage(4);
    const l = fam.beginMessage(1);
    fam.string(1, 'room');
    fam.string(2, 'a');
    fam.endMessage(l);
    const g = fam.beginMessage(2);
    fam.double(1, 21.5);
    fam.endMessage(g);
    fam.endMessage(m);
    const body1 = Buffer.from(fam.finish());
    fam.reset();
    fam.string(1, 'lat');
    fam.varintField(3, 4); // HISTOGRAM
    m = fam.beginMessage(4);
    const h = fam.beginMessage(7);
    fam.varintField(1, 3);
    fam.double(2, 4.5);
    const b = fam.beginMessage(3);
    fam.varintField(1, 2);
    fam.double(2, 1);
    fam.endMessage(b);
    fam.endMessage(h);
    fam.endMessage(m);
    const body2 = Buffer.from(fam.finish());
    w.varint(body1.length);
    w.bytesRaw(body1);
    w.varint(body2.length);
    w.bytesRaw(body2);
    const e = parseDelimitedProtobuf(w.finish());
    assert.deepEqual(
      e.families.map((f) => [
        f.name,
        f.type,
        f.samples.map((s) => `${s.name}${JSON.stringify(s.labels)}=${s.value}`),
      ]),
      [
        ['temp', 'gauge', ['temp[{"name":"room","value":"a"}]=21.5']],
        [
          'lat',
          'histogram',
          [
            'lat_bucket[{"name":"le","value":"1"}]=2',
            'lat_bucket[{"name":"le","value":"+Inf"}]=3',
            'lat_sum[]=4.5',
            'lat_count[]=3',
          ],
        ],
      ],
    );
    assert.throws(
      () => parseDelimitedProtobuf(Buffer.from([0x10, 0x0a, 0x05, 0x41])),
      /cannot decode delimited/,
    );
  });
});
