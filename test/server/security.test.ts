import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {after, before, describe, test} from 'node:test';
import {fileURLToPath} from 'node:url';
import WebSocket from 'ws';
import {exposureWarning, isLoopbackHost, RateLimiter, tokenMatches} from '../../server/security.js';
import {maxTriggerBytes} from '../../server/trigger.js';
import {runCli} from '../helpers/cli.js';
import {openRawSse, startTestServer, waitFor, type TestServer} from '../helpers/server-start.js';

const token = 's3cret-T0ken';
const certPath = fileURLToPath(new URL('../../../test/helpers/tls/localhost-cert.pem', import.meta.url));
const keyPath = fileURLToPath(new URL('../../../test/helpers/tls/localhost-key.pem', import.meta.url));

/** Resolves with the HTTP status of a WebSocket upgrade (101 when it opened). */
async function upgradeStatus(url: string, options: WebSocket.ClientOptions = {}): Promise<number> {
	return new Promise(resolve => {
		const ws = new WebSocket(url, options);
		ws.on('open', () => {
			ws.terminate();
			resolve(101);
		});
		ws.on('unexpected-response', (_request, response) => {
			resolve(response.statusCode ?? 0);
			ws.terminate();
		});
		ws.on('error', () => {});
	});
}

describe('--token', () => {
	let server: TestServer;
	before(async () => {
		server = await startTestServer({token, logLevel: 'debug'});
	});
	after(async () => {
		await server.close();
	});

	test('every endpoint but /health answers 401 without it, naming how to send it', async () => {
		const health = await fetch(`${server.url}/health`);
		assert.equal(health.status, 200);
		await health.text();
		for (const path of ['/dashboard/stream', '/dashboard/stats', '/dashboard/debug', '/nope']) {
			const response = await fetch(`${server.url}${path}`);
			assert.equal(response.status, 401, path);
			assert.equal(response.headers.get('www-authenticate'), 'Bearer realm="sse-tui"');
			assert.match(((await response.json()) as {error: string}).error, /Authorization: Bearer <token>.*\?token=/);
		}

		const trigger = await fetch(`${server.url}/dashboard/trigger-test`, {method: 'POST', headers: {Authorization: 'Bearer wrong'}});
		assert.equal(trigger.status, 401, 'the trigger needs it too');
		await trigger.text();
		const ws = `${server.url.replace('http', 'ws')}`;
		assert.equal(await upgradeStatus(`${ws}/ws`), 401);
		assert.equal(await upgradeStatus(`${ws}/cable`), 401);
		assert.equal(await upgradeStatus(`${ws}/ws?token=wrong`), 401);
		assert.ok(server.stats().rejected.auth >= 7);
	});

	test('Authorization: Bearer and ?token= both open every endpoint', async () => {
		const stats = await fetch(`${server.url}/dashboard/stats`, {headers: {Authorization: `Bearer ${token}`}});
		assert.equal(stats.status, 200);
		await stats.json();
		const sse = await openRawSse(server.url, `/dashboard/stream?token=${token}`);
		try {
			await waitFor(() => sse.body().startsWith('retry:'), 'the stream with ?token=');
		} finally {
			sse.close();
		}

		const ws = `${server.url.replace('http', 'ws')}`;
		assert.equal(await upgradeStatus(`${ws}/ws`, {headers: {Authorization: `Bearer ${token}`}}), 101);
		assert.equal(await upgradeStatus(`${ws}/cable?token=${token}`), 101);
		const trigger = await fetch(`${server.url}/dashboard/trigger-test?count=1`, {method: 'POST', headers: {Authorization: `Bearer ${token}`}});
		assert.equal(trigger.status, 200);
		await trigger.json();
	});

	test('the token is never logged, not even at debug with ?token= in the path', async () => {
		await (await fetch(`${server.url}/dashboard/debug?token=${token}`)).text();
		await (await fetch(`${server.url}/dashboard/debug?token=${token}x`)).text();
		await upgradeStatus(`${server.url.replace('http', 'ws')}/ws?token=${token}y`);
		await waitFor(() => /upgrade rejected/.test(server.logs()), 'the log line');
		assert.doesNotMatch(server.logs(), new RegExp(token));
	});

	test('with a token, CORS is no longer *: no Access-Control-Allow-Origin, and preflights are refused', async () => {
		const response = await fetch(`${server.url}/dashboard/stats`, {headers: {Authorization: `Bearer ${token}`, Origin: 'https://elsewhere.example'}});
		assert.equal(response.headers.get('access-control-allow-origin'), null);
		await response.json();
		const preflight = await fetch(`${server.url}/dashboard/stream`, {method: 'OPTIONS', headers: {Origin: 'https://elsewhere.example', 'Access-Control-Request-Method': 'GET'}});
		assert.equal(preflight.status, 403);
		await preflight.text();
	});

	test('--cors names the origins that do get it, and Authorization may be sent', async () => {
		const withCors = await startTestServer({token, cors: ['https://app.example']});
		try {
			const allowed = await fetch(`${withCors.url}/dashboard/stats`, {headers: {Authorization: `Bearer ${token}`, Origin: 'https://app.example'}});
			assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://app.example');
			assert.equal(allowed.headers.get('vary'), 'Origin');
			await allowed.json();
			const other = await fetch(`${withCors.url}/dashboard/stats`, {headers: {Authorization: `Bearer ${token}`, Origin: 'https://other.example'}});
			assert.equal(other.headers.get('access-control-allow-origin'), null);
			await other.json();
			const preflight = await fetch(`${withCors.url}/dashboard/stats`, {method: 'OPTIONS', headers: {Origin: 'https://app.example', 'Access-Control-Request-Method': 'GET'}});
			assert.equal(preflight.status, 204);
			assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /Authorization/);
		} finally {
			await withCors.close();
		}
	});

	test('compared in constant time over hashes: right, wrong, prefix, empty', () => {
		assert.equal(tokenMatches(token, token), true);
		assert.equal(tokenMatches('wrong', token), false);
		assert.equal(tokenMatches(token.slice(0, -1), token), false);
		assert.equal(tokenMatches('', token), false);
		assert.equal(tokenMatches(undefined, token), false);
	});
});

describe('Origin on WebSocket endpoints', () => {
	test('/ws refuses a foreign Origin like /cable does (cross-site WebSocket hijacking)', async () => {
		const server = await startTestServer();
		try {
			const ws = `${server.url.replace('http', 'ws')}/ws`;
			assert.equal(await upgradeStatus(ws, {origin: 'https://evil.example'}), 403);
			assert.equal(await upgradeStatus(ws, {origin: 'http://localhost:5173'}), 101);
			assert.equal(await upgradeStatus(ws), 101, 'no Origin: a script, let through');
			assert.equal(server.stats().rejected.origin, 1);
		} finally {
			await server.close();
		}
	});
});

describe('the trigger endpoint', () => {
	let server: TestServer;
	before(async () => {
		server = await startTestServer({triggerRate: 5, triggerBurst: 5});
	});
	after(async () => {
		await server.close();
	});

	test('GET is 405 with Allow: POST (an <img> tag cannot fire it)', async () => {
		const response = await fetch(`${server.url}/dashboard/trigger-test?count=1`);
		assert.equal(response.status, 405);
		assert.equal(response.headers.get('allow'), 'POST');
		await response.json();
		assert.equal(server.stats().broadcasts, 0);
	});

	test('a POST or preflight from a page outside --allowed-origins is refused', async () => {
		const post = await fetch(`${server.url}/dashboard/trigger-test?count=1`, {method: 'POST', headers: {Origin: 'https://evil.example'}});
		assert.equal(post.status, 403);
		await post.json();
		const preflight = await fetch(`${server.url}/dashboard/trigger-test`, {method: 'OPTIONS', headers: {Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST'}});
		assert.equal(preflight.status, 403);
		assert.equal(preflight.headers.get('access-control-allow-origin'), null);
		await preflight.text();
		const local = await fetch(`${server.url}/dashboard/trigger-test`, {method: 'OPTIONS', headers: {Origin: 'http://localhost:5173', 'Access-Control-Request-Method': 'POST'}});
		assert.equal(local.status, 204);
		assert.equal(server.stats().broadcasts, 0);
	});

	test('a trigger over the byte cap is refused with the cap in the answer', async () => {
		const response = await fetch(`${server.url}/dashboard/trigger-test?count=100000&pad=65536`, {method: 'POST'});
		assert.equal(response.status, 400);
		const body = (await response.json()) as {error: string; max_bytes: number};
		assert.equal(body.max_bytes, maxTriggerBytes);
		assert.match(body.error, /at most 67108864 bytes/);
		assert.equal(server.stats().broadcasts, 0);
	});

	test('past the rate limit: 429 with Retry-After, and the server counts them', async () => {
		const statuses: number[] = [];
		let retryAfter: string | null = null;
		for (let index = 0; index < 12; index++) {
			const response = await fetch(`${server.url}/dashboard/trigger-test?count=1`, {method: 'POST'});
			statuses.push(response.status);
			if (response.status === 429) {
				retryAfter = response.headers.get('retry-after');
			}

			await response.json();
		}

		assert.ok(statuses.filter(status => status === 200).length >= 5, statuses.join());
		assert.ok(statuses.includes(429), statuses.join());
		assert.match(retryAfter ?? '', /^\d+$/);
		assert.ok(server.stats().rejected.triggerRate >= 1);
		const body = (await (await fetch(`${server.url}/dashboard/trigger-test?count=1`, {method: 'POST'})).json()) as Record<string, unknown>;
		assert.ok(body['max_bytes'] === maxTriggerBytes || typeof body['error'] === 'string');
	});

	test('RateLimiter: a bucket of burst, refilled at rate per second', () => {
		const limiter = new RateLimiter(10, 2);
		assert.equal(limiter.take(), 0);
		assert.equal(limiter.take(), 0);
		const wait = limiter.take();
		assert.ok(wait > 0 && wait <= 100, String(wait));
	});
});

describe('--tls-cert / --tls-key', () => {
	let server: TestServer;
	before(async () => {
		server = await startTestServer({tlsCert: certPath, tlsKey: keyPath});
	});
	after(async () => {
		await server.close();
	});

	test('serves https:// and wss://', async () => {
		assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
		const ca = readFileSync(certPath);
		const status = await upgradeStatus(`${server.url.replace('https', 'wss')}/ws`, {ca});
		assert.equal(status, 101);
		const cable = await upgradeStatus(`${server.url.replace('https', 'wss')}/cable`, {ca, protocol: 'actioncable-v1-json'} as WebSocket.ClientOptions);
		assert.equal(cable, 101);
	});

	test('the load client checks the certificate, unless --insecure', async () => {
		const url = `${server.url}/dashboard/stream`;
		const strict = await runCli(['--url', url, '--duration', '1s', '--json']);
		const summary = JSON.parse(strict.stdout) as {clients: {connected: number}; errors: {total: number}};
		assert.equal(summary.clients.connected, 0, 'a self-signed certificate is refused');
		assert.ok(summary.errors.total > 0);
		const insecure = await runCli(['--url', url, '--duration', '1s', '--json', '--insecure']);
		assert.equal((JSON.parse(insecure.stdout) as {clients: {connected: number}}).clients.connected, 1, insecure.stderr);
	});

	test('a certificate file that cannot be read is one line and exit 1', async () => {
		const result = await runCli(['serve', '--port', '0', '--tls-cert', '/nonexistent/cert.pem', '--tls-key', keyPath]);
		assert.equal(result.code, 1);
		assert.match(result.stderr, /cannot read --tls-cert \/nonexistent\/cert\.pem: ENOENT/);
		assert.doesNotMatch(result.stderr, /\n\s+at /);
		const half = await runCli(['serve', '--tls-cert', certPath]);
		assert.equal(half.code, 2);
		assert.match(half.stderr, /--tls-cert needs --tls-key FILE/);
	});
});

describe('binding beyond loopback', () => {
	test('loopback hosts are recognised', () => {
		for (const host of ['127.0.0.1', '127.0.0.2', '::1', '[::1]', 'localhost']) {
			assert.equal(isLoopbackHost(host), true, host);
		}

		for (const host of ['0.0.0.0', '::', '192.168.1.5', 'example.com']) {
			assert.equal(isLoopbackHost(host), false, host);
		}
	});

	test('the warning names the exposure and --token; with a token, TLS', () => {
		assert.equal(exposureWarning({host: '127.0.0.1', token: undefined, tlsCert: undefined}), undefined);
		assert.match(exposureWarning({host: '0.0.0.0', token: undefined, tlsCert: undefined}) ?? '', /not loopback: anyone who can reach this port can read every stream.*--token/);
		assert.match(exposureWarning({host: '0.0.0.0', token: 't', tlsCert: undefined}) ?? '', /travels in clear text; add --tls-cert/);
		assert.equal(exposureWarning({host: '0.0.0.0', token: 't', tlsCert: 'c.pem'}), undefined);
	});

	test('sse-tui serve --host 0.0.0.0 prints it; --token (or SSE_TUI_TOKEN) is never printed', async () => {
		const result = await runCli(['serve', '--host', '0.0.0.0', '--port', '0', '--interval', '0'], {
			env: {SSE_TUI_TOKEN: token},
			timeoutMs: 10_000,
			onSpawn(child) {
				let out = '';
				child.stdout?.on('data', (chunk: Buffer) => {
					out += chunk.toString();
					if (out.includes('Press Ctrl-C') && !child.killed) {
						child.kill('SIGINT');
					}
				});
			},
		});
		assert.equal(result.code, 0, result.stderr);
		assert.match(result.stderr, /warning: listening on 0\.0\.0\.0, not loopback, without TLS: the --token travels in clear text/);
		assert.match(result.stdout, /Token {8}required on every endpoint but \/health/);
		assert.doesNotMatch(result.stdout + result.stderr, new RegExp(token));
	});
});

describe('the load client and publish --http: --token', () => {
	let server: TestServer;
	before(async () => {
		server = await startTestServer({token, triggerRate: 10, triggerBurst: 2});
	});
	after(async () => {
		await server.close();
	});

	test('the load client sends it as Authorization: Bearer, on SSE and WebSocket, and never prints it', async () => {
		const sse = await runCli(['--url', `${server.url}/dashboard/stream`, '--token', token, '--duration', '700ms', '--json']);
		assert.equal((JSON.parse(sse.stdout) as {clients: {connected: number}}).clients.connected, 1, sse.stderr);
		assert.doesNotMatch(sse.stdout + sse.stderr, new RegExp(token));
		const ws = await runCli(['--url', `${server.url.replace('http', 'ws')}/ws`, '--protocol', 'websocket', '--ws-mode', 'raw', '--token', token, '--duration', '700ms', '--json']);
		assert.equal((JSON.parse(ws.stdout) as {clients: {connected: number}}).clients.connected, 1, ws.stderr);
		const without = await runCli(['--url', `${server.url}/dashboard/stream`, '--duration', '700ms', '--json']);
		assert.equal((JSON.parse(without.stdout) as {clients: {connected: number}}).clients.connected, 0);
	});

	test('publish --http --token fires the trigger; without it, one line naming --token and exit 1', async () => {
		const ok = await runCli(['publish', '--http', server.url, '--token', token, '--count', '2']);
		assert.equal(ok.code, 0, ok.stderr);
		const refused = await runCli(['publish', '--http', server.url, '--count', '2']);
		assert.equal(refused.code, 1);
		assert.match(refused.stderr, /answered 401: the server needs its token; pass --token/);
		const env = await runCli(['publish', '--http', server.url], {env: {SSE_TUI_TOKEN: token}});
		assert.equal(env.code, 0, env.stderr);
	});

	test('publish --http retries a 429 after its Retry-After, so a paced run past the limit still publishes all', async () => {
		const before = server.stats().rejected.triggerRate;
		const result = await runCli(['publish', '--http', server.url, '--token', token, '--count', '6', '--rate', '100']);
		assert.equal(result.code, 0, result.stderr);
		assert.match(result.stdout, /^published 6 messages/m);
		assert.ok(server.stats().rejected.triggerRate > before, 'it did meet the limit');
	});
});
