import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Template, TemplateError } from './exec.js';

const data = {
  labels: { instance: 'web-1:9100', job: 'node' },
  value: 0.5,
  externalURL: 'http://tiny.example:8080/obs',
};
const expand = (text: string, value = data.value) => new Template('t', text).expand({ ...data, value });

describe('alert templates (Prometheus semantics)', () => {
  // Expected texts from Prometheus' template tests (template/template_test.go and
  // prometheus/common helpers/templates/time_test.go).
  const cases: [string, string, number?][] = [
    ['{{ range $i, $v := args 0.0 1.0 1234567.0 0.12 }}{{ humanize $v }}:{{ end }}', '0:1:1.235M:120m:'],
    ['{{ range $i, $v := args 0.0 1.0 1048576.0 0.12 }}{{ humanize1024 $v }}:{{ end }}', '0:1:1Mi:0.12:'],
    [
      '{{ range $i, $v := args 0.0 0.1234567 1.0 1.5 }}{{ humanizePercentage $v }}:{{ end }}',
      '0%:12.35%:100%:150%:',
    ],
    [
      '{{ humanizeDuration 0 }} {{ humanizeDuration 60 }} {{ humanizeDuration 86400 }}',
      '0s 1m 0s 1d 0h 0m 0s',
    ],
    [
      '{{ humanizeDuration 899.99 }}|{{ humanizeDuration 0.12345 }}|{{ humanizeDuration 0.0001 }}',
      '14m 59s|123.5ms|100us',
    ],
    [
      '{{ humanizeDuration 12.345 }}|{{ humanizeDuration -1 }}|{{ humanizeDuration 1234567 }}',
      '12.35s|-1s|14d 6h 56m 7s',
    ],
    ['{{ humanizeDuration "1.2345" }}', '1.234s'],
    ['{{ humanizeTimestamp 1435065584.128 }}', '2015-06-23 13:19:44.128 +0000 UTC'],
    ['{{ humanizeTimestamp 0 }}|{{ humanizeTimestamp "NaN" }}', '1970-01-01 00:00:00 +0000 UTC|NaN'],
    ['{{ "aa bb CC" | title }}|{{ toUpper "aB" }}|{{ toLower "aB" }}', 'Aa Bb CC|AB|ab'],
    ['{{ reReplaceAll "(a)b" "x$1" "ab" }}', 'xa'],
    ['{{ match "a+" "xaa" }}', 'true'],
    ['{{ stripPort "foo.com:12345" }}|{{ stripPort "[2001:0DB8::1]:12345" }}', 'foo.com|2001:0DB8::1'],
    [
      '{{ stripDomain "foo.example.com" }}|{{ stripDomain "foo.example.com:12345" }}|{{ stripDomain "192.0.2.1" }}',
      'foo|foo:12345|192.0.2.1',
    ],
    // Alert data as Prometheus binds it.
    ['{{ $labels.instance }} of {{ .Labels.job }} at {{ $value }}', 'web-1:9100 of node at 0.5'],
    ['{{ $value }} {{ .Value }}', '1.234567e+06 1.234567e+06', 1234567],
    ['{{ $value }}', '100000', 100000],
    ['[{{ $labels.missing }}]', '[]'],
    [
      '{{ printf "%.2f" $value }}|{{ printf "%s=%d" "n" 3 }}|{{ printf "%5.1f%%" 12.345 }}',
      '0.50|n=3| 12.3%',
    ],
    ['{{ if gt $value 0.4 }}high{{ else if gt $value 0.1 }}mid{{ else }}low{{ end }}', 'high'],
    ['{{ if gt $value 0.4 }}high{{ else if gt $value 0.1 }}mid{{ else }}low{{ end }}', 'mid', 0.2],
    ['{{ range $k, $v := $labels }}{{ $k }}={{ $v }};{{ end }}', 'instance=web-1:9100;job=node;'],
    [
      '{{ with $labels.job }}job {{ . }}{{ end }}{{ with $labels.nope }}never{{ else }}-{{ end }}',
      'job node-',
    ],
    ['a {{- " b " -}} c', 'a b c'],
    ['{{/* a comment */}}x{{ $x := "y" }}{{ $x }}', 'xy'],
    [
      '{{ externalURL }}|{{ pathPrefix }}|{{ $externalURL }}',
      'http://tiny.example:8080/obs|/obs|http://tiny.example:8080/obs',
    ],
    ['{{ $value | humanize | printf "%s!" }}', '500m!'],
    ['{{ len $labels }} {{ index $labels "job" }}', '2 node'],
  ];
  for (const [text, want, value] of cases) {
    it(`${text} → ${want}`, () => assert.equal(expand(text, value), want));
  }

  it('rejects templates it cannot run, naming the line', () => {
    assert.throws(
      () => new Template('t', 'x\n{{ query "up" }}'),
      (e: unknown) => e instanceof TemplateError && /line 2: function "query" not defined/.test(e.message),
    );
    assert.throws(() => new Template('t', '{{ if 1 }}x'), /missing \{\{end\}\}/);
    assert.throws(() => new Template('t', '{{ end }}'), /unexpected \{\{end\}\}/);
    assert.throws(() => new Template('t', '{{ $labels.x '), /unclosed action/);
    assert.throws(() => new Template('t', '{{ define "x" }}{{ end }}'), /not supported/);
    assert.throws(() => expand('{{ $nope }}'), /undefined variable: \$nope/);
    assert.throws(() => expand('{{ humanize "many" }}'), /error executing template t: .*invalid syntax/);
  });

  it('bounds the output and the loops of a template', () => {
    assert.throws(
      () => expand('{{ range $i, $v := 1000000000 }}{{ end }}'),
      /more than 1000000 range iterations/,
    );
    assert.throws(
      () => expand('{{ range $i, $v := 2000 }}{{ range $j, $w := 2000 }}{{ end }}{{ end }}'),
      /range iterations/,
    );
    assert.throws(
      () => expand('{{ range $i, $v := 100000 }}{{ range $j, $w := 100 }}xx{{ end }}{{ end }}'),
      /larger than 1 MiB/,
    );
  });
});
