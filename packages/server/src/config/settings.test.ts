import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, defaultConfig, resolveConfig } from './settings.js';

describe('server settings', () => {
  it('has the documented defaults', () => {
    const c = defaultConfig();
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.port, 8080);
    assert.equal(c.dataDir, './data');
    assert.equal(c.stalenessMs, 300_000);
  });

  it('takes flags over environment over defaults, in both flag syntaxes', () => {
    const env = { TINYOBS_PORT: '9000', TINYOBS_DATA_DIR: '/env/dir', TINYOBS_STALENESS: '1m' };
    const c = resolveConfig(['--port', '9100', '--host=0.0.0.0'], env);
    assert.equal(c.port, 9100);
    assert.equal(c.host, '0.0.0.0');
    assert.equal(c.dataDir, '/env/dir');
    assert.equal(c.stalenessMs, 60_000);
  });

  it('accepts PORT as the original TinyObs did, below TINYOBS_PORT', () => {
    assert.equal(resolveConfig([], { PORT: '7000' }).port, 7000);
    assert.equal(resolveConfig([], { PORT: '7000', TINYOBS_PORT: '7001' }).port, 7001);
  });

  it('reads the storage budget from TINYOBS_MAX_STORAGE_GB as the original did, or --max-storage', () => {
    assert.equal(resolveConfig([], { TINYOBS_MAX_STORAGE_GB: '2' }).maxStorageBytes, 2 * 1024 ** 3);
    assert.equal(
      resolveConfig(['--max-storage', '500MiB'], { TINYOBS_MAX_STORAGE_GB: '2' }).maxStorageBytes,
      500 * 1024 ** 2,
    );
    assert.throws(
      () => resolveConfig([], { TINYOBS_MAX_STORAGE_GB: 'lots' }),
      /TINYOBS_MAX_STORAGE_GB="lots": must be a positive number of GiB/,
    );
    assert.equal(
      resolveConfig(['--wal-fsync', 'always', '--retention-raw', '2d'], {}).retentionRawMs,
      2 * 86_400_000,
    );
    assert.throws(
      () => resolveConfig(['--wal-fsync', 'sometimes'], {}),
      /must be one of always, interval, never/,
    );
  });

  it('parses sizes and durations', () => {
    const c = resolveConfig(['--max-body-size', '2MiB', '--shutdown-timeout', '1m30s'], {});
    assert.equal(c.maxBodyBytes, 2 * 1024 * 1024);
    assert.equal(c.shutdownTimeoutMs, 90_000);
  });

  it('takes several values for list settings: repeated flags, following arguments, commas in the environment', () => {
    assert.deepEqual(resolveConfig(['--rules', 'a.yml', 'b.yml', '--port', '1'], {}).rules, [
      'a.yml',
      'b.yml',
    ]);
    assert.deepEqual(resolveConfig(['--rules=a.yml', '--rules', 'c/*.yml'], {}).rules, ['a.yml', 'c/*.yml']);
    assert.deepEqual(resolveConfig([], { TINYOBS_RULES: 'a.yml,b.yml' }).rules, ['a.yml', 'b.yml']);
    assert.deepEqual(resolveConfig(['--rules', 'z.yml'], { TINYOBS_RULES: 'a.yml' }).rules, ['z.yml']);
    assert.deepEqual(defaultConfig().alertGroupBy, ['alertname']);
    assert.throws(
      () => resolveConfig(['--alert-webhook', 'ftp://x'], {}),
      /--alert-webhook="ftp:\/\/x": must be an http/,
    );
  });

  const invalid: [string[], Record<string, string>, RegExp][] = [
    [['--port', '70000'], {}, /invalid option --port="70000": must be an integer from 0 to 65535/],
    [[], { TINYOBS_PORT: 'http' }, /invalid environment variable TINYOBS_PORT="http"/],
    [['--staleness', '5 minutes'], {}, /invalid option --staleness="5 minutes": must be a duration/],
    [['--max-body-size', '12XB'], {}, /invalid option --max-body-size="12XB": must be a size/],
    [['--log-level', 'loud'], {}, /must be one of debug, info, warn, error/],
    [['--colour'], {}, /unknown option "--colour"/],
    [['--port'], {}, /option --port needs a value/],
  ];
  for (const [args, env, message] of invalid) {
    it(`refuses ${[...args, ...Object.entries(env).map(([k, v]) => `${k}=${v}`)].join(' ')}`, () => {
      assert.throws(
        () => resolveConfig(args, env),
        (err: unknown) => err instanceof ConfigError && message.test(err.message),
      );
    });
  }
});
