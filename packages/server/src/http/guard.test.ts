import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Authorizer, KeySet, presentedKey } from './auth.js';
import { RequestError } from './errors.js';
import { HostPolicy, hostOfHeader, isLoopbackHost } from './host.js';

describe('host names', () => {
  it('takes the host out of a Host header', () => {
    assert.equal(hostOfHeader('[::1]:8080'), '::1');
    assert.equal(hostOfHeader('Example.COM.:80'), 'example.com');
    assert.equal(hostOfHeader('localhost'), 'localhost');
  });

  it('knows loopback names and addresses (the start-up warning depends on it)', () => {
    for (const h of ['localhost', 'a.localhost', '127.0.0.1', '127.1.2.3', '::1', '[::1]'])
      assert.ok(isLoopbackHost(h), h);
    for (const h of ['0.0.0.0', '::', '10.0.0.1', 'localhost.example', '128.0.0.1'])
      assert.ok(!isLoopbackHost(h), h);
  });

  it('answers the bound address but not a name resolving to it', () => {
    const p = new HostPolicy('192.0.2.7', []);
    p.check('192.0.2.7:8080');
    assert.throws(
      () => p.check('rebind.example:8080'),
      (e: unknown) => (e as RequestError).code === 'forbidden_host',
    );
    new HostPolicy('127.0.0.1', ['*']).check('anything.example');
  });
});

describe('keys', () => {
  it('reads a Bearer token or a basic-auth password, nothing else', () => {
    assert.equal(presentedKey('Bearer abc'), 'abc');
    assert.equal(presentedKey('Token abc'), 'abc');
    assert.equal(presentedKey(`Basic ${Buffer.from('user:p:w').toString('base64')}`), 'p:w');
    assert.equal(presentedKey('Basic !!!'), null);
    assert.equal(presentedKey('abc'), null);
    assert.equal(presentedKey(undefined), null);
  });

  it('matches only whole keys, of any length', () => {
    const k = new KeySet(['secret', 'other-secret']);
    assert.ok(k.has('secret') && k.has('other-secret'));
    assert.ok(!k.has('secre') && !k.has('secret2') && !k.has(''));
  });

  it('leaves open what has no keys', () => {
    const a = new Authorizer(new KeySet(['w']), new KeySet([]));
    a.check('read', undefined);
    a.check('public', undefined);
    assert.throws(() => a.check('write', 'Bearer r'), RequestError);
    a.check('write', 'Bearer w');
  });
});
