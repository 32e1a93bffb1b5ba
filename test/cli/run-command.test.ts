import assert from 'node:assert/strict';
import {readFile, mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, describe, test} from 'node:test';
import {eventStreamHeaders, startTestServer, type TestServer} from '../helpers/http-server.js';
import {cliPath, runCli, startCommand} from '../helpers/cli.js';
import {chunk, sseHead, startRawServer} from '../helpers/raw-http-server.js';

let server: TestServer;
let dir: string;

before(async () => {
	dir = await mkdtemp(join(tmpdir(), 'sse-tui-cli-'));
	let id = 0;
	server = await startTestServer((request, response) => {
		if (request.url === '/gone') {
			response.writeHead(204).end();
			return;
		}

		eventStreamHeaders(response);
		response.write(': heartbeat\n\n');
		const timer = setInterval(() => {
			id++;
			response.write(`id: ${id}\ndata: {"n":${id},"sent_at":${Date.now()}}\n\n`);
		}, 50);
		request.on('close', () => clearInterval(timer));
	});
});

after(async () => {
	await server.close();
	await rm(dir, {recursive: true, force: true});
});

describe('sse-tui (run command)', () => {
	test('--help shows usage, every flag and examples', async () => {
		const result = await runCli(['--help']);
		assert.equal(result.code, 0);
		for (const flag of ['--url', '--port', '--protocol', '--scenario', '--clients', '--duration', '--ramp', '--timeout', '--stats', '--stats-interval', '--log-level', '--debug', '--header', '--insecure', '--no-tui', '--json', '--events']) {
			assert.ok(result.stdout.includes(flag), `help mentions ${flag}`);
		}

		assert.match(result.stdout, /Examples/);
		assert.match(result.stdout, /sse-tui serve/);
	});

	test('--version prints the package version', async () => {
		const result = await runCli(['--version']);
		assert.equal(result.code, 0);
		assert.match(result.stdout.trim(), /^\d+\.\d+\.\d+$/);
	});

	const usageCases: Array<[string[], RegExp]> = [
		[['--clients', 'x'], /^sse-tui: --clients must be a whole number from 1 to 1000000 \(got "x"\)$/m],
		[['--duration', 'soon'], /^sse-tui: --duration must be a duration like/m],
		[['--scenario', 'custom'], /^sse-tui: --scenario custom needs --url URL/m],
		[['--log-level', 'loud'], /^sse-tui: --log-level must be one of error, warn, info, debug/m],
		[['--bogus'], /bogus/],
		[['launch'], /^sse-tui: unknown command "launch"/m],
		[['--json', '--events', '-'], /^sse-tui: --events - would mix/m],
		[['--workers', '2', '--events', '-'], /^sse-tui: --events - writes to standard output from one process and cannot be used with 2 worker processes/m],
		[['--workers', '1', '--clients', '1000000'], /^sse-tui: --clients 1000000 does not fit in 1 worker process of at most \d+ clients .*pass --workers \d+/m],
		[['--clients', '2', '--clients', '3'], /^sse-tui: The flag --clients can only be set once\. See "sse-tui --help"\.$/m],
	];
	for (const [args, message] of usageCases) {
		test(`${args.join(' ')} exits 2 with a one-line fix, no stack trace`, async () => {
			const result = await runCli(args);
			assert.equal(result.code, 2, result.stderr);
			assert.match(result.stderr, message);
			assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
			assert.equal(result.stdout, '');
		});
	}

	test('an event log that cannot be opened exits 1 with the reason', async () => {
		const result = await runCli(['--url', server.url(), '--duration', '1s', '--events', join(dir, 'missing', 'dir', 'events.ndjson')]);
		assert.equal(result.code, 1);
		assert.match(result.stderr, /^sse-tui: cannot write the event log to .*ENOENT/m);
	});

	test('an event log that opens but cannot be written stops the run: one line, exit 1, summary printed', async () => {
		// /dev/full opens for anyone and fails every write (ENOSPC), as /proc/version does for root.
		const result = await runCli(['--url', server.url(), '--duration', '10s', '--events', '/dev/full']);
		assert.equal(result.code, 1, result.stderr);
		assert.equal(result.stderr, 'sse-tui: cannot write the event log to /dev/full: ENOSPC: no space left on device, write; the run was stopped (summary above); pass --events a writable file path\n');
		assert.match(result.stdout, /ERROR cannot write the event log to \/dev\/full: ENOSPC.*; stopping the run$/m);
		assert.match(result.stdout, /=== Summary: .* stopped by error ===/);
	});

	for (const [name, args] of [
		['sse-tui --no-tui', ['--url', '', '--stats', '--stats-interval', '50ms', '--no-tui']],
		['sse-tui serve', ['serve', '--port', '0']],
	] as const) {
		test(`${name} | head -1: a closed stdout ends the process quietly`, async () => {
			const running = startCommand(cliPath, args.map(argument => argument === '' ? server.url() : argument), {env: {NO_COLOR: '1'}});
			// head -1: read the first line, then close the pipe.
			await new Promise<void>(resolve => {
				running.child.stdout!.on('data', () => {
					if (running.stdout().includes('\n')) {
						running.child.stdout!.destroy();
						resolve();
					}
				});
			});
			// serve writes nothing more until it stops; the run writes a stats line every 50 ms.
			if (name === 'sse-tui serve') {
				running.kill('SIGTERM');
			}

			const code = await running.code;
			assert.equal(running.timedOut(), false, 'it ended');
			assert.equal(code, 0, running.stderr());
			assert.doesNotMatch(running.stderr(), /EPIPE|\n\s+at /, 'no EPIPE, no stack');
		});
	}

	test('plain text when stdout is not a terminal: banner, stats lines and summary', async () => {
		const result = await runCli(['--url', server.url(), '--clients', '2', '--duration', '1200ms', '--stats', '--stats-interval', '500ms', '--ramp', '0']);
		assert.equal(result.code, 0, result.stderr);
		assert.match(result.stdout, /^sse-tui \S+: SSE load test$/m);
		assert.match(result.stdout, /client 1 open: HTTP 200/);
		assert.ok((result.stdout.match(/ STATS \| open 2\/2/g) ?? []).length >= 1, result.stdout);
		assert.match(result.stdout, /=== Summary: .* stopped by duration ===/);
		assert.match(result.stdout, /Clients: +2 requested, 2 connected at least once/);
		assert.match(result.stdout, /Heartbeats: +2 /);
	});

	test('--json prints exactly one summary object on stdout, logs on stderr', async () => {
		const result = await runCli(['--url', server.url(), '--clients', '3', '--duration', '1s', '--ramp', '0', '--json']);
		assert.equal(result.code, 0, result.stderr);
		const lines = result.stdout.trim().split('\n');
		assert.equal(lines.length, 1, 'one line on stdout');
		const summary = JSON.parse(lines[0]!) as Record<string, any>;
		assert.equal(summary.version, 1);
		assert.equal(summary.target.url, server.url());
		assert.equal(summary.target.protocol, 'sse');
		assert.equal(summary.stoppedBy, 'duration');
		assert.equal(summary.clients.requested, 3);
		assert.equal(summary.clients.connected, 3);
		assert.equal(summary.connections.successful, 3);
		assert.equal(summary.heartbeats.total, 3);
		assert.ok(summary.messages.total >= 30, `messages ${summary.messages.total}`);
		assert.equal(summary.errors.total, 0);
		assert.equal(typeof summary.connectMs.p99, 'number');
		assert.equal(typeof summary.latencyMs.p50, 'number');
		assert.ok(summary.durationMs >= 1000 && summary.durationMs < 3000);
		for (const key of ['startedAt', 'bytes', 'reconnects']) {
			assert.ok(key in summary, `summary has ${key}`);
		}

		assert.match(result.stderr, /SSE load test/);
	});

	test('--events FILE writes one NDJSON line per thing seen, each with t', async () => {
		const file = join(dir, 'events.ndjson');
		const result = await runCli(['--url', server.url(), '--duration', '600ms', '--events', file]);
		assert.equal(result.code, 0, result.stderr);
		const lines = (await readFile(file, 'utf8')).trim().split('\n').map(line => JSON.parse(line) as Record<string, unknown>);
		assert.ok(lines.every(line => typeof line.t === 'number' && line.client === 1));
		const kinds = new Set(lines.map(line => line.kind));
		for (const kind of ['connecting', 'open', 'comment', 'event', 'close']) {
			assert.ok(kinds.has(kind), `has a ${kind} line`);
		}

		const event = lines.find(line => line.kind === 'event')!;
		assert.equal(event.type, 'message');
		assert.equal(typeof event.id, 'string');
		assert.match(event.data as string, /^\{"n":\d+/);
		assert.deepEqual(lines.find(line => line.kind === 'comment'), {...lines.find(line => line.kind === 'comment'), text: 'heartbeat'});
		assert.equal(lines.at(-1)!.kind, 'close');
	});

	test('--events - streams NDJSON on stdout and moves the text to stderr', async () => {
		const result = await runCli(['--url', server.url(), '--duration', '500ms', '--events', '-']);
		assert.equal(result.code, 0, result.stderr);
		for (const line of result.stdout.trim().split('\n')) {
			assert.doesNotThrow(() => JSON.parse(line), `not JSON: ${line}`);
		}

		assert.match(result.stderr, /=== Summary/);
	});

	test('SIGINT stops the run and prints the summary, exit 0', async () => {
		const result = await runCli(['--url', server.url(), '--clients', '2'], {
			onSpawn(child) {
				let seen = '';
				let sent = false;
				child.stdout!.on('data', (chunk: string) => {
					seen += chunk;
					if (!sent && seen.includes('client 2 open')) {
						sent = true;
						child.kill('SIGINT');
					}
				});
			},
		});
		assert.equal(result.code, 0, result.stderr);
		assert.match(result.stdout, /=== Summary: .* stopped by signal ===/);
		assert.match(result.stderr, /SIGINT: stopping/);
	});

	test('errors are data: an unreachable server still gives a summary that counts errors (exit 1: no client opened)', async () => {
		const result = await runCli(['--url', 'http://127.0.0.1:1/stream', '--duration', '500ms', '--json', '--retry', '100ms']);
		assert.equal(result.code, 1, result.stderr);
		const summary = JSON.parse(result.stdout) as {errors: {total: number; byKind: Record<string, number>}};
		assert.ok(summary.errors.total >= 1);
		assert.ok(summary.errors.byKind.connect! >= 1);
	});

	test('the run ends by itself when every client was told to stop (204; exit 1: none ever opened)', async () => {
		const result = await runCli(['--url', server.url('/gone'), '--clients', '3', '--ramp', '0', '--json']);
		assert.equal(result.code, 1, result.stderr);
		const summary = JSON.parse(result.stdout) as {stoppedBy: string; clients: {final: {closed: number}}};
		assert.equal(summary.stoppedBy, 'finished');
		assert.equal(summary.clients.final.closed, 3);
		assert.match(result.stderr, /204 No Content: not reconnecting/);
	});

	test('https with a self-signed certificate: refused with a hint, then read with --insecure', async () => {
		const secure = await startRawServer(socket => {
			socket.write(`${sseHead}Transfer-Encoding: chunked\r\n\r\n`);
			const timer = setInterval(() => socket.write(chunk(`data: {"sent_at":${Date.now()}}\n\n`)), 50);
			socket.on('close', () => clearInterval(timer));
		}, {secure: true});
		try {
			const refused = await runCli(['--url', secure.url(), '--duration', '500ms', '--json', '--retry', '100ms', '--log-level', 'warn']);
			assert.equal(refused.code, 1, refused.stderr);
			const failed = JSON.parse(refused.stdout) as {messages: {total: number}; errors: {byKind: Record<string, number>}};
			assert.equal(failed.messages.total, 0);
			assert.ok(failed.errors.byKind.connect! >= 1);
			assert.match(refused.stderr, /self[- ]signed certificate \(--insecure accepts it\)/);

			const accepted = await runCli(['--url', secure.url(), '--duration', '1s', '--json', '--insecure']);
			assert.equal(accepted.code, 0, accepted.stderr);
			const summary = JSON.parse(accepted.stdout) as {messages: {total: number}; errors: {total: number}; latencyMs: unknown};
			assert.ok(summary.messages.total >= 5, `messages ${summary.messages.total}`);
			assert.equal(summary.errors.total, 0);
			assert.notEqual(summary.latencyMs, null);
		} finally {
			await secure.close();
		}
	});
});
