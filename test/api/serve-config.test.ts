// Server configuration (src/runtime/config.ts): flags, TXGATE_* environment, Core's units.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { btcToSats, ConfigError, parseConfig } from '../../src/runtime/config.ts';
import { DEFAULT_POLICY } from '../../src/policy/constants.ts';

describe('parseConfig', () => {
  test('defaults are Core v30 policy defaults', () => {
    const c = parseConfig([], {});
    assert.deepEqual(c, { port: 8080, host: '127.0.0.1', network: 'regtest', crypto: 'auto', sha256: 'auto', bodyLimit: 2 * 1024 * 1024, maxMempoolMb: 300, maxBatch: 100, limits: { maxConnections: 512, maxRequests: 256 }, trustSnapshot: false, submitAuth: 'open', policy: { ...DEFAULT_POLICY }, connect: [] });
    assert.equal(c.policy.minRelayFeeRate, 100);
    assert.equal(c.policy.maxFeeRate, 10_000_000);
  });
  test('flags in every spelling, and flags win over the environment', () => {
    const c = parseConfig(
      ['--port', '9000', '--host=0.0.0.0', '-acceptnonstdtxn', '--network=regtest', '--token=abc.def', '--workers=3', '--body-limit=4096'],
      { TXGATE_PORT: '1234', TXGATE_NETWORK: 'signet', TXGATE_CRYPTO: 'wasm', TXGATE_MAX_BATCH: '7', TXGATE_DATADIR: '/tmp/x' },
    );
    assert.equal(c.port, 9000);
    assert.equal(c.host, '0.0.0.0');
    assert.equal(c.network, 'regtest');
    assert.equal(c.crypto, 'wasm');
    assert.equal(c.maxBatch, 7);
    assert.equal(c.datadir, '/tmp/x');
    assert.equal(c.token, 'abc.def');
    // A token makes the mutating endpoints need it unless --submit-auth says otherwise.
    assert.equal(c.submitAuth, 'token');
    assert.equal(parseConfig(['--token=abc', '--submit-auth=open']).submitAuth, 'open');
    assert.equal(parseConfig(['--submit-auth=rpc']).submitAuth, 'rpc');
    assert.throws(() => parseConfig(['--submit-auth=token']), /needs --token/);
    assert.throws(() => parseConfig(['--submit-auth=anyone']), /submit-auth/);
    assert.equal(c.workers, 3);
    assert.equal(c.bodyLimit, 4096);
    assert.equal(c.policy.requireStandard, false);
    // The connection and request caps (src/runtime/conn-cap.ts).
    assert.deepEqual(parseConfig(['--max-connections=64'], { TXGATE_MAX_REQUESTS: '32' }).limits, { maxConnections: 64, maxRequests: 32 });
    assert.throws(() => parseConfig(['--max-connections=0']), /max-connections/);
  });
  test('--load-snapshot FILE and --trust-snapshot (a boolean, off by default)', () => {
    const c = parseConfig(['--load-snapshot', '/data/utxo-840000.dat', '--trust-snapshot'], {});
    assert.equal(c.loadSnapshot, '/data/utxo-840000.dat');
    assert.equal(c.trustSnapshot, true);
    assert.equal(parseConfig([], { TXGATE_LOAD_SNAPSHOT: 'u.dat', TXGATE_TRUST_SNAPSHOT: '0' }).trustSnapshot, false);
    assert.equal(parseConfig([], { TXGATE_LOAD_SNAPSHOT: 'u.dat' }).loadSnapshot, 'u.dat');
    assert.throws(() => parseConfig(['--load-snapshot'], {}), /--load-snapshot needs a value/);
  });
  test('fee rates in BTC/kvB, as Core', () => {
    const c = parseConfig(['--minrelaytxfee=0.00001', '--maxfeerate=0', '--dustrelayfee=0.00003001'], {});
    assert.equal(c.policy.minRelayFeeRate, 1000);
    assert.equal(c.policy.maxFeeRate, 0);
    assert.equal(c.policy.dustRelayFeeRate, 3001);
    assert.equal(btcToSats('1.5'), 150_000_000);
    assert.equal(btcToSats('0.000000001'), undefined);
    assert.equal(btcToSats('-1'), undefined);
  });
  test('datacarrier options and booleans', () => {
    assert.equal(parseConfig(['--datacarrier=0'], {}).policy.maxDatacarrierBytes, null);
    assert.equal(parseConfig(['--no-datacarrier'], {}).policy.maxDatacarrierBytes, null);
    assert.equal(parseConfig(['--datacarriersize=83'], {}).policy.maxDatacarrierBytes, 83);
    assert.equal(parseConfig([], { TXGATE_PERMITBAREMULTISIG: 'false' }).policy.permitBareMultisig, false);
    assert.equal(parseConfig([], { TXGATE_ACCEPTNONSTDTXN: '1' }).policy.requireStandard, false);
  });
  test('--tls-cert and --tls-key, from flags or TXGATE_TLS_CERT / TXGATE_TLS_KEY', () => {
    assert.deepEqual(parseConfig(['--tls-cert=/c.pem', '--tls-key', '/k.pem'], {}).tls, { certFile: '/c.pem', keyFile: '/k.pem' });
    assert.deepEqual(parseConfig(['--tls-key=/flag.pem'], { TXGATE_TLS_CERT: '/c.pem', TXGATE_TLS_KEY: '/env.pem' }).tls, { certFile: '/c.pem', keyFile: '/flag.pem' });
    assert.equal(parseConfig([], {}).tls, undefined);
  });
  test('--health-port, from the flag or TXGATE_HEALTH_PORT; absent by default', () => {
    assert.equal(parseConfig(['--health-port=8081'], {}).healthPort, 8081);
    assert.equal(parseConfig([], { TXGATE_HEALTH_PORT: '0' }).healthPort, 0);
    assert.equal(parseConfig([], {}).healthPort, undefined);
    assert.throws(() => parseConfig(['--health-port=70000'], {}), /--health-port \(TXGATE_HEALTH_PORT\)/);
  });
  test('bad input is a ConfigError naming the option and its variable', () => {
    const bad: [string[], Record<string, string>, RegExp][] = [
      [['--port=70000'], {}, /--port \(TXGATE_PORT\)/],
      [['--network=mainet'], {}, /--network/],
      [[], { TXGATE_MINRELAYTXFEE: 'lots' }, /minrelaytxfee must be a BTC\/kvB amount/],
      [['--frobnicate'], {}, /unknown option --frobnicate/],
      [['--port'], {}, /--port needs a value/],
      [['8080'], {}, /unexpected argument/],
      [['--token=has space'], {}, /bearer token/],
      [['--crypto=gpu'], {}, /--crypto/],
      [['--tls-cert=cert.pem'], {}, /--tls-cert \(TXGATE_TLS_CERT\) and --tls-key \(TXGATE_TLS_KEY\) go together/],
      [[], { TXGATE_TLS_KEY: 'key.pem' }, /go together/],
      [['--tls-cert=', '--tls-key=key.pem'], {}, /--tls-cert \(TXGATE_TLS_CERT\)/],
    ];
    for (const [argv, env, re] of bad) assert.throws(() => parseConfig(argv, env), (e: unknown) => e instanceof ConfigError && re.test(e.message), String(re));
  });
});
