import assert from 'node:assert/strict';
import {mkdtemp, readFile, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, describe, test} from 'node:test';
import {runCli, startCommand, cliPath} from '../helpers/cli.js';
import {eventStreamHeaders, startTestServer as startScriptedServer} from '../helpers/http-server.js';
import {startTestServer, waitFor} from '../helpers/server-start.js';
import {startTcpProxy} from '../helpers/tcp-proxy.js';

type Summary = {
	clients: {connected: number};
	messages: {total: number};
	reconnects: number;
	latencyMs: {p50: number; p99: number} | null;
	latency: {field: string; measured: number; missing: number};
	reconnectMs: {count: number} | null;
	timeline: Array<{t: number; open: number; messagesPerSec: number}>;
	delivery: {
		accountedClients: number; unaccountedClients: number; expected: number | null; received: number; ratio: number | null;
		gaps: number; duplicates: number; outOfOrder: number; resets: number; reconnects: {resumed: number; notResumed: number};
		sources: {seq: number; id: number};
	};
};

let dir: string;
before(async () => {
	dir = await mkdtemp(join(tmpdir(), 'sse-tui-delivery-'));
});
after(async () => {
	await rm(dir, {recursive: true, force: true});
});

const parse = (stdout: string) => JSON.parse(stdout) as Summary;

describe('delivery accounting against real servers', () => {
	test('a server that drops every 10th message: exactly that many gaps, each logged', async () => {
		const server = await startScriptedServer((_request, response) => {
			eventStreamHeaders(response);
			let frames = '';
			for (let seq = 1; seq <= 101; seq++) {
				if (seq % 10 !== 0) {
					frames += `data: {"seq":${seq},"sent_at":${Date.now()}}\n\n`;
				}
			}

			response.write(frames);
		});
		const events = join(dir, 'gaps.ndjson');
		try {
			const result = await runCli(['--url', server.url(), '--clients', '2', '--ramp', '0', '--duration', '1500ms', '--json', '--events', events]);
			assert.equal(result.code, 0, result.stderr);
			const {delivery, timeline} = parse(result.stdout);
			assert.equal(timeline.length, 1, 'one timeline point per second, with --json too');
			assert.equal(timeline[0]!.open, 2);
			assert.equal(delivery.gaps, 20);
			assert.equal(delivery.received, 182);
			assert.equal(delivery.expected, 202);
			assert.equal(delivery.duplicates + delivery.outOfOrder + delivery.resets, 0);
			assert.equal(delivery.sources.seq, 2);
			const gaps = (await readFile(events, 'utf8')).trim().split('\n').map(line => JSON.parse(line) as {kind: string; from: number; to: number; count: number}).filter(line => line.kind === 'gap');
			assert.equal(gaps.length, 20);
			assert.ok(gaps.every(gap => gap.from === gap.to && gap.from % 10 === 0 && gap.count === 1));
		} finally {
			await server.close();
		}
	});

	test('a proxy cut mid-run with serve\'s replay buffer: no gaps, every reconnect resumed', async () => {
		const server = await startTestServer({intervalMs: 40, retryMs: 200});
		const proxy = await startTcpProxy(Number(new URL(server.url).port));
		const running = startCommand(cliPath, ['--url', `http://127.0.0.1:${proxy.port}/dashboard/stream`, '--clients', '3', '--ramp', '0', '--retry', '300ms', '--duration', '3s', '--json'], {env: {NO_COLOR: '1'}});
		try {
			await waitFor(() => proxy.accepted >= 3, 'three clients through the proxy');
			await new Promise(resolve => setTimeout(resolve, 800));
			assert.equal(proxy.cut(), 3);
			assert.equal(await running.code, 0, running.stderr());
			const summary = parse(running.stdout());
			assert.equal(summary.reconnects, 3);
			assert.equal(summary.delivery.gaps, 0);
			assert.equal(summary.delivery.resets, 0);
			assert.equal(summary.delivery.duplicates, 0);
			assert.deepEqual(summary.delivery.reconnects, {resumed: 3, notResumed: 0});
			assert.equal(summary.reconnectMs?.count, 3);
		} finally {
			running.kill('SIGKILL');
			await proxy.close();
			await server.close();
		}
	});

	test('restarting a plain serve (no Redis): one reset per client, not a gap storm', async () => {
		let server = await startTestServer({intervalMs: 40, retryMs: 200});
		const port = Number(new URL(server.url).port);
		const running = startCommand(cliPath, ['--url', `${server.url}/dashboard/stream`, '--clients', '3', '--ramp', '0', '--retry', '200ms', '--max-backoff', '300ms', '--duration', '5s', '--json'], {env: {NO_COLOR: '1'}});
		try {
			await waitFor(() => server.stats().sse.current === 3, 'three clients', 10_000);
			await new Promise(resolve => setTimeout(resolve, 600));
			await server.close();
			server = await startTestServer({intervalMs: 40, retryMs: 200, port});
			assert.equal(await running.code, 0, running.stderr());
			const summary = parse(running.stdout());
			assert.ok(summary.reconnects >= 3, `reconnects ${summary.reconnects}`);
			assert.equal(summary.delivery.resets, 3);
			assert.equal(summary.delivery.gaps, 0);
			assert.equal(summary.delivery.reconnects.resumed, 0);
		} finally {
			running.kill('SIGKILL');
			await server.close();
		}
	});

	test('a delay injected between stamping sent_at and sending moves the latency percentiles by that much', async () => {
		const p50 = async (delayMs: number) => {
			const server = await startScriptedServer((_request, response) => {
				eventStreamHeaders(response);
				let seq = 0;
				const timer = setInterval(() => {
					const frame = `data: {"seq":${++seq},"sent_at":${Date.now()}}\n\n`;
					setTimeout(() => response.write(frame), delayMs);
				}, 20);
				response.on('close', () => clearInterval(timer));
			});
			try {
				const result = await runCli(['--url', server.url(), '--clients', '2', '--ramp', '0', '--duration', '1500ms', '--json']);
				assert.equal(result.code, 0, result.stderr);
				const summary = parse(result.stdout);
				assert.equal(summary.latency.missing, 0);
				return summary.latencyMs!.p50;
			} finally {
				await server.close();
			}
		};

		const base = await p50(0);
		const delayed = await p50(300);
		assert.ok(delayed - base >= 290 && delayed - base <= 450, `p50 ${base} ms without the delay, ${delayed} ms with 300 ms`);
	});

	test('--latency-field and --seq-field read other paths; ISO times and epoch seconds count', async () => {
		const server = await startScriptedServer((_request, response) => {
			eventStreamHeaders(response);
			const now = Date.now();
			response.write([1, 2, 4].map(n => `data: {"meta":{"n":${n},"at":"${new Date(now - 100).toISOString()}"}}\n\n`).join('') + 'data: {"meta":{"n":5}}\n\n');
		});
		try {
			const result = await runCli(['--url', server.url(), '--ramp', '0', '--duration', '1s', '--json', '--seq-field', 'meta.n', '--latency-field', 'meta.at']);
			assert.equal(result.code, 0, result.stderr);
			const summary = parse(result.stdout);
			assert.equal(summary.delivery.gaps, 1);
			assert.equal(summary.delivery.received, 4);
			assert.deepEqual(summary.latency, {field: 'meta.at', measured: 3, missing: 1});
			assert.ok(summary.latencyMs!.p50 >= 100, `p50 ${summary.latencyMs!.p50}`);
		} finally {
			await server.close();
		}
	});

	test('messages without any sequence: accounting is off and the summary says so', async () => {
		const server = await startScriptedServer((_request, response) => {
			eventStreamHeaders(response);
			response.write('data: hello\n\ndata: {"x":1}\n\n');
		});
		try {
			const result = await runCli(['--url', server.url(), '--ramp', '0', '--duration', '800ms', '--no-tui']);
			assert.equal(result.code, 0, result.stderr);
			assert.match(result.stdout, /Delivery: +not accounted: no message carried a sequence number/);
			const json = await runCli(['--url', server.url(), '--ramp', '0', '--duration', '800ms', '--json']);
			const {delivery} = parse(json.stdout);
			assert.equal(delivery.accountedClients, 0);
			assert.equal(delivery.unaccountedClients, 1);
			assert.equal(delivery.expected, null);
		} finally {
			await server.close();
		}
	});
});

describe('every requested client appears in the summary', () => {
	test('a run that ends before a long ramp has started everyone counts the rest as never started', async () => {
		const server = await startTestServer({intervalMs: 100});
		try {
			const result = await runCli(['--url', `${server.url}/dashboard/stream`, '--clients', '40', '--ramp', '20s', '--duration', '1s', '--json'], {timeoutMs: 30_000});
			assert.equal(result.code, 0, result.stderr);
			const summary = JSON.parse(result.stdout) as {clients: {requested: number; notStarted: number; final: Record<string, number>}};
			const started = Object.values(summary.clients.final).reduce((sum, count) => sum + count, 0);
			assert.ok(summary.clients.notStarted > 0 && started > 0, JSON.stringify(summary.clients));
			assert.equal(started + summary.clients.notStarted, 40);
			const text = await runCli(['--url', `${server.url}/dashboard/stream`, '--clients', '40', '--ramp', '20s', '--duration', '1s', '--no-tui'], {timeoutMs: 30_000});
			assert.match(text.stdout, /Clients: +40 requested, \d+ connected at least once, \d+ never started \(the run ended before their turn\)/);
		} finally {
			await server.close();
		}
	});
});
