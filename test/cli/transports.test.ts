import assert from 'node:assert/strict';
import http from 'node:http';
import zlib from 'node:zlib';
import type {AddressInfo} from 'node:net';
import {after, before, describe, test} from 'node:test';
import {runCli} from '../helpers/cli.js';
import {startConnectProxy, type ConnectProxy} from '../helpers/connect-proxy.js';
import {startH2SseServer} from '../helpers/h2-sse-server.js';
import {startTestServer, type TestServer} from '../helpers/server-start.js';
import type {Summary} from '../../source/reporters/summary.js';

let server: TestServer;
let proxy: ConnectProxy;

before(async () => {
	server = await startTestServer();
	proxy = await startConnectProxy();
});

after(async () => {
	await proxy.close();
	await server.close();
});

const noProxyEnv = {http_proxy: '', https_proxy: '', HTTPS_PROXY: '', ALL_PROXY: '', all_proxy: '', NO_PROXY: '', no_proxy: ''};

describe('transports through undici', () => {
	test('--proxy: every stream goes through the proxy\'s CONNECT tunnel', async () => {
		const before = proxy.tunnels.length;
		const result = await runCli(['--url', `${server.url}/stream/echo`, '--method', 'POST', '--body', '{"events":5,"interval":0}', '--until-data', '[DONE]', '--then', 'stop', '--clients', '5', '--ramp', '0', '--proxy', proxy.url, '--json'], {env: noProxyEnv});
		assert.equal(result.code, 0, result.stderr);
		const summary = JSON.parse(result.stdout) as Summary;
		assert.equal(summary.streams!.completed, 5);
		assert.equal(summary.messages.total, 5 * 6);
		const host = new URL(server.url).host;
		const tunnels = proxy.tunnels.slice(before);
		assert.ok(tunnels.length >= 1 && tunnels.every(target => target === host), `tunnels: ${tunnels.join(', ')}`);
		assert.equal(summary.transport!.proxy, proxy.url + '/');
		// Each connection is a tunnel; undici may open one more than it ends up using as the run stops.
		assert.ok(summary.transport!.connections >= 1 && summary.transport!.connections <= tunnels.length, `${summary.transport!.connections} connections, ${tunnels.length} tunnels`);
	});

	test('--proxy with --workers 2: each worker has its own undici transport, and their counts add up', async () => {
		const before = proxy.tunnels.length;
		const result = await runCli(['--url', `${server.url}/stream/echo`, '--method', 'POST', '--body', '{"events":5,"interval":0}', '--until-data', '[DONE]', '--then', 'stop', '--clients', '6', '--ramp', '0', '--proxy', proxy.url, '--workers', '2', '--json'], {env: noProxyEnv, timeoutMs: 30_000});
		assert.equal(result.code, 0, result.stderr);
		const summary = JSON.parse(result.stdout) as Summary;
		assert.equal(summary.streams!.completed, 6);
		assert.equal(summary.messages.total, 6 * 6);
		assert.equal(summary.transport!.proxy, proxy.url + '/');
		assert.equal(summary.transport!.streams, 6, 'the streams of both workers');
		const tunnels = proxy.tunnels.length - before;
		// At least one connection per worker; undici may open one more than it ends up using as the run stops.
		assert.ok(summary.transport!.connections >= 2 && summary.transport!.connections <= tunnels, `${summary.transport!.connections} connections, ${tunnels} tunnels`);
	});

	test('http_proxy from the environment is used, and NO_PROXY exempts the host (curl\'s rules)', async () => {
		const args = ['--url', `${server.url}/stream/echo?events=3&interval=0`, '--until-data', '[DONE]', '--then', 'stop', '--clients', '2', '--ramp', '0', '--json'];
		let before = proxy.tunnels.length;
		const proxied = await runCli(args, {env: {...noProxyEnv, http_proxy: proxy.url}});
		assert.equal(proxied.code, 0, proxied.stderr);
		assert.ok(proxy.tunnels.length > before, 'http_proxy was used');
		assert.equal((JSON.parse(proxied.stdout) as Summary).streams!.completed, 2);

		before = proxy.tunnels.length;
		const exempt = await runCli(args, {env: {...noProxyEnv, http_proxy: proxy.url, NO_PROXY: 'example.test,127.0.0.0/8'}});
		assert.equal(exempt.code, 0, exempt.stderr);
		assert.equal(proxy.tunnels.length, before, 'NO_PROXY was honoured');
		const summary = JSON.parse(exempt.stdout) as Summary;
		assert.equal(summary.transport, null, 'direct: the fast reader');
		assert.equal(summary.streams!.completed, 2);
	});

	test('--http2: 100 clients receive every event; --streams-per-connection 10 opens 10 connections, in one process or in 2 workers of 50', async () => {
		const events = 5;
		const h2 = await startH2SseServer(events);
		try {
			for (const workers of ['1', '2']) {
				h2.sessions.clear();
				const result = await runCli(['--url', h2.url, '--http2', '--insecure', '--streams-per-connection', '10', '--clients', '100', '--ramp', '0', '--until-data', '[DONE]', '--then', 'stop', '--workers', workers, '--json'], {env: noProxyEnv, timeoutMs: 30_000});
				assert.equal(result.code, 0, result.stderr);
				const summary = JSON.parse(result.stdout) as Summary;
				assert.equal(summary.streams!.completed, 100);
				assert.equal(summary.messages.total, 100 * (events + 1));
				assert.equal(summary.delivery.gaps, 0);
				assert.equal(summary.transport!.http2, true);
				assert.equal(summary.transport!.connections, 10, `${workers} workers`);
				assert.equal(summary.transport!.streams, 100);
				assert.equal(h2.sessions.size, 10, 'the server saw 10 HTTP/2 sessions');
			}
		} finally {
			await h2.close();
		}
	});

	test('--compressed: a gzip-encoded stream is decoded, event by event', async () => {
		let acceptEncoding = '';
		const gz = http.createServer((request, response) => {
			acceptEncoding = String(request.headers['accept-encoding']);
			response.writeHead(200, {'content-type': 'text/event-stream', 'content-encoding': 'gzip'});
			const gzip = zlib.createGzip();
			gzip.pipe(response);
			let sent = 0;
			const timer = setInterval(() => {
				sent++;
				gzip.write(`id: ${sent}\ndata: {"seq":${sent},"text":"${'compressible '.repeat(20)}"}\n\n`);
				gzip.flush();
				if (sent === 10) {
					clearInterval(timer);
					gzip.end('data: [DONE]\n\n');
				}
			}, 10);
		});
		await new Promise<void>(resolve => gz.listen(0, '127.0.0.1', resolve));
		const {port} = gz.address() as AddressInfo;
		try {
			const result = await runCli(['--url', `http://127.0.0.1:${port}/`, '--compressed', '--until-data', '[DONE]', '--then', 'stop', '--json'], {env: noProxyEnv});
			assert.equal(result.code, 0, result.stderr);
			const summary = JSON.parse(result.stdout) as Summary;
			assert.match(acceptEncoding, /gzip/);
			assert.equal(summary.messages.total, 11);
			assert.equal(summary.delivery.received, 10);
			assert.equal(summary.streams!.outcomes.marker, 1);
			assert.ok(summary.bytes < 11 * 260, `${summary.bytes} bytes on the wire: compressed`);
		} finally {
			gz.closeAllConnections();
			await new Promise<void>(resolve => gz.close(() => resolve()));
		}
	});
});
