/**
 * The grouping key of a Pushgateway URL: `/metrics/job/<job>{/<label>/<value>}`, where a label
 * name ending in `@base64` has a value in URL-safe base64 (RFC 4648 §5, padding optional; `=`
 * alone is the empty value), the way Pushgateway accepts values that contain `/`.
 */

import type { Label } from '../../model/labels.js';
import { isReservedLabelName, isValidLabelName } from '../../model/names.js';
import { IngestError } from '../errors.js';

/** Parses the part after `/metrics/`; throws a bad_request naming what is wrong. */
export function parseGroupingKey(rest: string): Label[] {
  const parts = rest.split('/');
  if (parts[parts.length - 1] === '') parts.pop();
  if (parts.length < 2 || (parts[0] !== 'job' && parts[0] !== 'job@base64')) {
    throw new IngestError(
      'bad_request',
      'cannot parse grouping key: the path must be /metrics/job/<job>{/<label>/<value>}',
    );
  }
  if (parts.length % 2 !== 0) {
    throw new IngestError(
      'bad_request',
      `cannot parse grouping key: label ${JSON.stringify(parts.at(-1))} has no value`,
    );
  }
  const out: Label[] = [];
  for (let i = 0; i < parts.length; i += 2) {
    let name = safeDecode(parts[i]!);
    let value = safeDecode(parts[i + 1]!);
    if (name.endsWith('@base64')) {
      name = name.slice(0, -'@base64'.length);
      value = decodeBase64Url(value, name);
    }
    if (!isValidLabelName(name) || isReservedLabelName(name)) {
      throw new IngestError(
        'bad_request',
        `cannot parse grouping key: ${JSON.stringify(name)} is not a valid label name`,
      );
    }
    if (name === 'job' && value === '') {
      throw new IngestError('bad_request', 'cannot parse grouping key: job name must not be empty');
    }
    if (out.some((l) => l.name === name)) {
      throw new IngestError('bad_request', `cannot parse grouping key: label ${name} appears twice`);
    }
    out.push({ name, value });
  }
  return out;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new IngestError(
      'bad_request',
      `cannot parse grouping key: invalid percent-encoding in ${JSON.stringify(s)}`,
    );
  }
}

function decodeBase64Url(s: string, name: string): string {
  if (s === '=' || s === '') return '';
  if (!/^[A-Za-z0-9_\-+/]+={0,2}$/.test(s)) {
    throw new IngestError('bad_request', `cannot parse grouping key: value of ${name}@base64 is not base64`);
  }
  return Buffer.from(s.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
}
