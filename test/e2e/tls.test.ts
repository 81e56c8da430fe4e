// HTTPS on the runtime running this test (Node: node:https; Bun: Bun.serve tls; Deno:
// Deno.serve cert/key) with a self-signed certificate made here: the handshake and the
// protocol version, two requests on one TLS connection (HTTP/1.1 keep-alive), TLS 1.2 refused
// where the runtime lets the server set TLS 1.3 as the minimum, plain HTTP on the TLS port
// answered by nothing, and bad --tls-cert/--tls-key paths refused at start.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect as tcpConnect } from 'node:net';
import { ConfigError } from '../../src/runtime/config.ts';
import { runtimeName } from '../../src/runtime/crypto/runtime-info.ts';
import { startChildServer, startTestServer, type TestServer } from '../util/server.ts';
import { hasOpenssl, makeSelfSignedCert, rawRequest, tlsConnect, type TestCert } from '../util/tls.ts';

const skip = hasOpenssl() ? false : 'no openssl command to make a test certificate: apt-get install openssl to run the TLS tests';
if (skip) console.log(`# ${skip}`);

let cert: TestCert;
let srv: TestServer | undefined;
const port = (): number => Number(new URL(srv!.url).port);
const client = () => ({ host: '127.0.0.1', port: port(), ca: cert.cert, servername: 'localhost' });

describe('TLS', { skip }, () => {
  before(async () => {
    cert = makeSelfSignedCert();
    srv = await startTestServer(['--tls-cert', cert.certFile, '--tls-key', cert.keyFile, '--workers=1']);
  });
  after(async () => {
    await srv?.close();
  });

  test('serves https and says which TLS versions it takes', () => {
    assert.match(srv!.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const expected = runtimeName() === 'deno' ? 'TLSv1.2' : 'TLSv1.3';
    assert.equal(srv!.server.tlsMinVersion, expected);
    assert.match(srv!.log.join('\n'), new RegExp(`listening on https://.*TLS ${expected === 'TLSv1.3' ? '1\\.3 only' : '1\\.2 and 1\\.3'}`));
  });

  test('two requests on one TLS 1.3 connection (HTTP/1.1 keep-alive)', async () => {
    const socket = await tlsConnect(client());
    try {
      assert.equal(socket.authorized, true, String(socket.authorizationError));
      assert.equal(socket.getProtocol(), 'TLSv1.3');
      const first = await rawRequest(socket, 'GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n');
      assert.equal(first.status, 200);
      assert.equal(JSON.parse(first.body).status, 'ok');
      assert.notEqual(first.headers.connection, 'close');
      const body = 'zz';
      const second = await rawRequest(socket,
        `POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
      assert.equal(second.status, 400);
      assert.equal(JSON.parse(second.body).error.code, 'malformed');
    } finally {
      socket.destroy();
    }
  });

  test('a TLS 1.2 handshake is refused where the server sets TLS 1.3 as its minimum', async () => {
    const attempt = tlsConnect({ ...client(), maxVersion: 'TLSv1.2' }).then((socket) => {
      const protocol = socket.getProtocol();
      socket.destroy();
      return protocol;
    });
    if (srv!.server.tlsMinVersion === 'TLSv1.3') await assert.rejects(attempt);
    else assert.equal(await attempt, 'TLSv1.2');
  });

  test('plain HTTP on the TLS port gets no HTTP answer', async () => {
    const got = await new Promise<string>((resolve) => {
      let data = '';
      const s = tcpConnect({ host: '127.0.0.1', port: port() }, () => s.write('GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n'));
      const finish = () => {
        clearTimeout(timer);
        s.destroy();
        resolve(data);
      };
      const timer = setTimeout(finish, 3000);
      s.on('data', (d) => (data += d.toString('latin1')));
      s.on('close', finish);
      s.on('error', finish);
    });
    assert.doesNotMatch(got, /^HTTP\/1\.[01] 2/);
    assert.doesNotMatch(got, /"status":"ok"/);
  });

  test('a missing certificate or key file is a configuration error', async () => {
    await assert.rejects(startTestServer(['--tls-cert', cert.certFile + '.missing', '--tls-key', cert.keyFile]),
      (e: unknown) => e instanceof ConfigError && /--tls-cert: no such file/.test(e.message));
    await assert.rejects(startTestServer(['--tls-cert', cert.certFile, '--tls-key', cert.certFile.replace('cert.pem', 'nothing')]),
      (e: unknown) => e instanceof ConfigError && /--tls-key: no such file/.test(e.message));
    // The command line exits 2 with the message, as for a bad flag.
    await assert.rejects(startChildServer([`--tls-cert=${cert.certFile}`, `--tls-key=${cert.keyFile}.missing`, '--crypto=noble'], {}, 30_000),
      /exited with 2:[\s\S]*--tls-key: no such file/);
  });
});
