import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {after, before, describe, test} from 'node:test';
import {createServer, type AddressInfo} from 'node:net';
import {fileURLToPath} from 'node:url';
import {eventStreamHeaders, startTestServer, type TestServer} from '../helpers/http-server.js';
import {createTmux, hasTmux} from '../helpers/tmux.js';

/**
 * The built binary in a real terminal (tmux, 120x40): the dashboard, the wizard, and the plain
 * reporter when stdout is a pipe.
 */
const root = fileURLToPath(new URL('../../../', import.meta.url));
const entry = 'dist/source/cli.js';
const tmux = createTmux('e2e');
// CI=true on purpose: Ink alone would then draw only the last frame; sse-tui has seen a real
// terminal and must draw live (source/ui/node-env.ts).
const terminal = (args: string[]) => tmux.terminal(args, {env: {CI: 'true'}});

/** A port nothing listens on (bound, then let go). */
async function freePort(): Promise<number> {
	const server = createServer();
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	const {port} = server.address() as AddressInfo;
	await new Promise(resolve => server.close(resolve));
	return port;
}

const messages = (text: string) => Number(/msgs (\d+) \(/.exec(text)?.[1] ?? -1);

describe('sse-tui in a real terminal', {skip: hasTmux ? false : 'tmux is not installed'}, () => {
	let server: TestServer;
	let port = 0;
	before(async () => {
		// Events every 100 ms and a heartbeat comment every 250 ms on every stream.
		server = await startTestServer((request, response) => {
			eventStreamHeaders(response);
			let id = 0;
			const events = setInterval(() => response.write(`id: ${++id}\ndata: {"n":${id}}\n\n`), 100);
			const beats = setInterval(() => response.write(': heartbeat\n\n'), 250);
			request.on('close', () => {
				clearInterval(events);
				clearInterval(beats);
			});
		});
		port = Number(new URL(server.url()).port);
	});
	after(async () => {
		tmux.close();
		await server.close();
	});

	test('a run in a terminal shows the dashboard with counters rising; q prints the summary and exits 0', async () => {
		const tty = terminal(['--scenario', 'load', '--port', String(port), '--clients', '5']);
		try {
			const first = await tty.until(text => messages(text) > 0 && /open 5 /.test(text), 'the dashboard with messages');
			assert.match(first, /sse-tui .* · SSE · scenario load · http:\/\/localhost:\d+\/dashboard\/stream/);
			assert.match(first, /elapsed .* \(until q\) · clients 5 \(asked 5\)/);
			assert.match(first, /^\s+5 open /m);
			await tty.until(text => messages(text) > messages(first), 'the message counter to rise');
			tty.keys('q');
			const end = await tty.until(text => /EXIT=\d+/.test(text), 'the process to exit');
			assert.match(end, /=== Summary: .*, stopped by signal ===/);
			assert.match(end, /Clients: +5 requested, 5 connected at least once/);
			assert.match(end, /EXIT=0/);
		} finally {
			tty.close();
		}
	});

	test('no run flags in a terminal opens the wizard; its answers run the dashboard, then the summary', async () => {
		const tty = terminal([]);
		try {
			await tty.until(text => /\? Port \(default 3000\)/.test(text), 'the port question');
			tty.type(String(port));
			tty.keys('Enter');
			await tty.until(text => /\? Protocol/.test(text), 'the protocol question');
			tty.keys('Enter');
			await tty.until(text => /\? Log level/.test(text), 'the log level question');
			tty.keys('Enter');
			await tty.until(text => /\? Scenario/.test(text), 'the scenario question');
			tty.keys('Down', 'Enter');
			await tty.until(text => /\? Clients \(default 5\)/.test(text), 'the clients question');
			tty.type('3');
			tty.keys('Enter');
			await tty.until(text => /\? Duration/.test(text), 'the duration question');
			// 5 s: on a loaded machine the dashboard thread can take a second or two to draw its first frame.
			tty.type('5s');
			tty.keys('Enter');
			const dashboard = await tty.until(text => /scenario multiple/.test(text) && messages(text) > 0 && !/remaining 0ms/.test(text), 'the live dashboard');
			assert.match(dashboard, /clients 3 \(asked 3\)/);
			const end = await tty.until(text => /EXIT=\d+/.test(text), 'the process to exit');
			assert.match(end, /=== Summary: .*, stopped by duration ===/);
			assert.match(end, /Clients: +3 requested, 3 connected at least once/);
			assert.match(end, /EXIT=0/);
		} finally {
			tty.close();
		}
	});

	test('the wizard offers the demo when nothing listens on the port; it runs the dashboard, where ? explains every column', async () => {
		const free = await freePort();
		const tty = terminal([]);
		try {
			await tty.until(text => /\? Port \(default 3000\)/.test(text), 'the port question');
			tty.type(String(free));
			tty.keys('Enter');
			await tty.until(text => /\? Protocol/.test(text), 'the protocol question');
			tty.keys('Enter');
			await tty.until(text => /\? Log level/.test(text), 'the log level question');
			tty.keys('Enter');
			const scenario = await tty.until(text => /\? Scenario/.test(text), 'the scenario question');
			assert.match(scenario, new RegExp(`Nothing listens on localhost:${free} yet`));
			assert.match(scenario, /❯ demo: try it against the bundled server/);
			tty.keys('Enter');
			const dashboard = await tty.until(text => messages(text) > 0 && /open 10 /.test(text), 'the demo dashboard with messages');
			assert.match(dashboard, /SSE · scenario none · http:\/\/127\.0\.0\.1:\d+\/dashboard\/stream/);
			assert.doesNotMatch(dashboard, new RegExp(`:${free}/`), 'the demo picks its own port');
			// 120 columns: every column title spelled out.
			assert.match(dashboard, /id▲ state +messages +heartbeats +errors +reconnects last event id +message age +heartbeat age +latency +gaps/);
			tty.type('?');
			await tty.until(text => /heartbeats \(hb\) +heartbeats received/.test(text), 'the help, through the dashboard thread');
			tty.keys('Escape');
			await tty.until(text => /id▲ state +messages/.test(text), 'the table again');
			tty.keys('q');
			const end = await tty.until(text => /EXIT=\d+/.test(text), 'the process to exit');
			assert.match(end, /Clients: +10 requested/);
			assert.match(end, /EXIT=0/);
		} finally {
			tty.close();
		}
	});

	test('stdout through a pipe gets the plain reporter, not Ink', async () => {
		const child = spawn(process.execPath, [entry, '--port', String(port), '--duration', '1s', '--stats', '--stats-interval', '300ms'], {
			cwd: root,
			env: {...process.env, SSE_URL: '', SSE_CLIENTS: '', LOG_LEVEL: '', CI: ''},
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		let stdout = '';
		child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
			stdout += chunk;
		});
		const code = await new Promise<number | null>(resolve => child.on('close', resolve));
		assert.equal(code, 0);
		assert.match(stdout, /STATS/);
		assert.match(stdout, /=== Summary:/);
		assert.doesNotMatch(stdout, /\u001B\[/, 'no ANSI cursor or colour codes');
	});
});
