import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import WebSocket from 'ws';
import {resolveServeOptions, runServeCommand} from '../../server/cli.js';
import {defaultServerOptions} from '../../server/options.js';
import {UsageError} from '../../source/errors.js';
import {serverBinPath, startCommand, type Running} from '../helpers/cli.js';
import {openRawSse, startTestServer, waitFor} from '../helpers/server-start.js';

/** `sse-tui serve` as a process, with the serve variables a shell might set cleared. */
function run(args: string[], env: Record<string, string> = {}): Running {
	return startCommand(serverBinPath, args, {env: {SSE_PORT: '', PORT: '', LOG_LEVEL: '', ...env}, timeoutMs: 15_000});
}

describe('sse-tui serve (command)', {concurrency: true}, () => {
	test('--help prints usage with examples and exits 0', async () => {
		const child = run(['--help']);
		assert.equal(await child.code, 0);
		assert.match(child.stdout(), /Usage\n\s+\$ sse-tui serve \[options\]/);
		assert.match(child.stdout(), /Examples\n.*\n\s+\$ sse-tui serve\n/);
		for (const flag of ['--port', '--host', '--heartbeat', '--interval', '--replay', '--max-connections', '--max-buffer', '--cable-ping', '--allowed-origins', '--log-level', '--json-logs', '--workers']) {
			assert.ok(child.stdout().includes(flag), flag);
		}
	});

	test('SIGTERM sent as soon as the banner is read shuts down gracefully (the handlers come first)', async () => {
		// Without the fix about half of these died of the signal itself: five tries catch it.
		for (let attempt = 0; attempt < 5; attempt++) {
			const child = run(['--port', '0']);
			child.child.stdout!.once('data', () => child.kill('SIGTERM'));
			assert.equal(await child.code, 0, child.stderr());
			assert.match(child.stderr(), /SIGTERM: shutting down/);
		}
	});

	test('a bad flag exits 2 with one line on stderr', async () => {
		const child = run(['--bogus']);
		assert.equal(await child.code, 2);
		assert.equal(child.stderr(), 'unknown flag --bogus; run "sse-tui serve --help" for the list\n');
		assert.equal(child.stdout(), '');
	});

	test('a port in use exits 1 naming the fix', async () => {
		const server = await startTestServer();
		try {
			const child = run(['--port', String(server.port)]);
			assert.equal(await child.code, 1);
			assert.match(child.stderr(), /already in use; pick another with --port/);
		} finally {
			await server.close();
		}
	});
});

test('SIGINT shuts down gracefully within 5 s: cable disconnect, streams ended, final stats, exit 0', async () => {
	const child = run(['--interval', '100ms', '--log-level', 'error'], {SSE_PORT: '0'});
	try {
		await waitFor(() => /Press Ctrl-C/.test(child.stdout()), 'the banner');
		const url = /listening on (http:\S+)/.exec(child.stdout())![1]!;
		assert.match(child.stdout(), new RegExp(`SSE +${url}/dashboard/stream`));
		assert.match(child.stdout(), /ActionCable +ws:\/\/127\.0\.0\.1:\d+\/cable/);
		const sse = await openRawSse(url);
		const cable = new WebSocket(`${url.replace('http', 'ws')}/cable`, ['actioncable-v1-json']);
		const cableMessages: string[] = [];
		cable.on('message', data => cableMessages.push(data.toString()));
		const cableClosed = new Promise(resolve => cable.once('close', resolve));
		await waitFor(() => sse.events().length >= 1 && cableMessages.length >= 1, 'an update and a welcome');
		const started = Date.now();
		child.kill('SIGINT');
		assert.equal(await child.code, 0);
		assert.ok(Date.now() - started < 5000, `exited after ${Date.now() - started} ms`);
		await cableClosed;
		await waitFor(() => sse.closed(), 'the stream to end');
		assert.equal(cableMessages.at(-1), '{"type":"disconnect","reason":"server_restart","reconnect":true}');
		assert.match(child.stdout(), /Stopped after .*: \d+ broadcasts\n\s+SSE +1 connections/);
		assert.match(child.stderr(), /SIGINT: shutting down/);
	} finally {
		child.kill('SIGKILL');
	}
});

test('a second SIGINT forces the exit while a peer ignores the close handshake', async () => {
	const child = run(['--log-level', 'error'], {SSE_PORT: '0'});
	const {connect} = await import('node:net');
	let socket: import('node:net').Socket | undefined;
	try {
		await waitFor(() => /Press Ctrl-C/.test(child.stdout()), 'the banner');
		const url = new URL(/listening on (http:\S+)/.exec(child.stdout())![1]!);
		// A WebSocket peer that completes the upgrade, then never answers anything.
		socket = connect({host: url.hostname, port: Number(url.port)});
		let reply = '';
		socket.on('data', chunk => {
			reply += chunk.toString('latin1');
		});
		socket.on('error', () => {});
		socket.write('GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n');
		await waitFor(() => reply.startsWith('HTTP/1.1 101'), 'the upgrade');
		child.kill('SIGINT');
		await waitFor(() => /shutting down/.test(child.stderr()), 'the graceful phase');
		const started = Date.now();
		child.kill('SIGINT');
		assert.equal(await child.code, 130);
		assert.ok(Date.now() - started < 1500, `forced exit took ${Date.now() - started} ms`);
		assert.match(child.stderr(), /forcing exit/);
	} finally {
		socket?.destroy();
		child.kill('SIGKILL');
	}
});

describe('usage errors (in process)', () => {
	for (const [args, message] of [
		[['--bogus'], 'unknown flag --bogus; run "sse-tui serve --help" for the list'],
		[['--port', 'x'], '--port must be a whole number from 0 to 65535 (got "x")'],
		[['--max-buffer', 'lots'], '--max-buffer must be a size like 65536, 512KiB or 8MiB (got "lots")'],
		[['--heartbeat', 'soon'], '--heartbeat must be a duration like 1500ms, 30s, 5m or 1h (got "soon")'],
		[['--log-level', 'loud'], '--log-level must be one of error, warn, info, debug (got "loud")'],
		[['--replay', '-1'], '--replay must be a whole number from 0 to 10000000 (got "-1")'],
		[['--workers', '0'], '--workers must be a whole number from 1 to 256 (got "0")'],
		[['--port', '1', '--port', '2'], 'The flag --port can only be set once. See "sse-tui serve --help".'],
		[['extra'], '"sse-tui serve" takes no arguments (got "extra"); see "sse-tui serve --help"'],
	] as const) {
		test(`${args.join(' ')} is a UsageError (exit 2) with one line`, async () => {
			await assert.rejects(runServeCommand([...args], {env: {}}), (error: unknown) => {
				assert.ok(error instanceof UsageError);
				assert.equal(error.exitCode, 2);
				assert.equal(error.message, message);
				return true;
			});
		});
	}
});

describe('resolveServeOptions', () => {
	test('defaults match the documented ones and are frozen', () => {
		const options = resolveServeOptions({}, {});
		assert.deepEqual({...options}, {...defaultServerOptions});
		assert.ok(Object.isFrozen(options));
	});

	test('parses every flag', () => {
		const options = resolveServeOptions(
			{port: '0', host: '::1', heartbeat: '10s', interval: '0', replay: '5', maxConnections: '20', maxBuffer: '64KiB', cablePing: '1500ms', allowedOrigins: '*', logLevel: 'DEBUG', jsonLogs: true},
			{},
		);
		assert.equal(options.port, 0);
		assert.equal(options.host, '::1');
		assert.equal(options.heartbeatMs, 10_000);
		assert.equal(options.intervalMs, 0);
		assert.equal(options.replay, 5);
		assert.equal(options.maxConnections, 20);
		assert.equal(options.maxBuffer, 65_536);
		assert.equal(options.cablePingMs, 1500);
		assert.deepEqual(options.allowedOrigins, ['*']);
		assert.equal(options.logLevel, 'debug');
		assert.equal(options.jsonLogs, true);
		assert.equal(resolveServeOptions({workers: '3'}, {}).workers, 3);
		assert.ok(resolveServeOptions({workers: 'auto'}, {}).workers >= 1);
	});

	test('the port falls back to SSE_PORT, then PORT; the flag wins', () => {
		assert.equal(resolveServeOptions({}, {SSE_PORT: '4000', PORT: '5000'}).port, 4000);
		assert.equal(resolveServeOptions({}, {PORT: '5000'}).port, 5000);
		assert.equal(resolveServeOptions({port: '6000'}, {SSE_PORT: '4000'}).port, 6000);
		assert.throws(() => resolveServeOptions({}, {PORT: 'http'}), {message: 'PORT must be a whole number from 0 to 65535 (got "http")'});
		assert.equal(resolveServeOptions({}, {LOG_LEVEL: 'warn'}).logLevel, 'warn');
		assert.throws(() => resolveServeOptions({}, {LOG_LEVEL: 'x'}), UsageError);
	});

	test('rejects out-of-range numbers with the flag and the fix', () => {
		assert.throws(() => resolveServeOptions({maxConnections: '0'}, {}), {message: '--max-connections must be a whole number from 1 to 1000000 (got "0")'});
		assert.throws(() => resolveServeOptions({port: '70000'}, {}), UsageError);
		assert.throws(() => resolveServeOptions({allowedOrigins: 'ftp://x'}, {}), UsageError);
	});
});
