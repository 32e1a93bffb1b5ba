import assert from 'node:assert/strict';
import {mkdtemp, readFile, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, describe, test} from 'node:test';
import {runCli} from '../helpers/cli.js';
import {startTestRedis, type TestRedis} from '../helpers/redis-server.js';
import {startTestServer, waitFor, type TestServer} from '../helpers/server-start.js';
import {startTcpProxy, type TcpProxy} from '../helpers/tcp-proxy.js';

type Percentiles = {count: number; p50: number; p99: number};
type Broadcast = {published: number; openAtStart: number; expected: number; received: number; missing: {total: number}; duplicates: {total: number}; latencyMs: Percentiles | null; clientsComplete: number};
type Summary = {
	target: {url: string; protocol: string};
	clients: {requested: number; connected: number};
	messages: {total: number};
	errors: {total: number};
	reconnects: number;
	delivery: {expected: number | null; received: number; gaps: number; duplicates: number};
	broadcast: Broadcast | null;
	latencyMs: Percentiles | null;
	thresholds: Array<{expr: string; passed: boolean; value: number | null}>;
	targets?: Record<string, Summary>;
	comparison?: {targets: string[]; baseline: string; metrics: Record<string, {values: Record<string, number | null>; ratios: Record<string, number | null>; best: string | null}>};
};

const parse = (stdout: string) => JSON.parse(stdout) as Summary;
/** The 300 ms the proxy holds every byte from the slow server back. */
const delayMs = 300;
const clients = 4;
const count = 30;
const broadcastFlags = (redis: TestRedis, messages = count) => ['--scenario', 'broadcast', '--clients', String(clients), '--count', String(messages), '--rate', '30', '--publish', redis.url, '--drain', '3s', '--json', '--log-level', 'error'];

/** What a run against one target alone must give exactly, and a compared run gives per target. */
function exact(summary: Summary) {
	const b = summary.broadcast!;
	return {
		requested: summary.clients.requested,
		connected: summary.clients.connected,
		messages: summary.messages.total,
		errors: summary.errors.total,
		reconnects: summary.reconnects,
		delivery: {expected: summary.delivery.expected, received: summary.delivery.received, gaps: summary.delivery.gaps, duplicates: summary.delivery.duplicates},
		broadcast: {published: b.published, openAtStart: b.openAtStart, expected: b.expected, received: b.received, missing: b.missing.total, duplicates: b.duplicates.total, complete: b.clientsComplete, latencies: b.latencyMs?.count},
	};
}

describe('--target: two sse-tui serve instances on one Redis, one behind a slow link', () => {
	let redis: TestRedis;
	let fast: TestServer;
	let slow: TestServer;
	let proxy: TcpProxy;
	let fastUrl = '';
	let slowUrl = '';
	before(async () => {
		redis = await startTestRedis();
		fast = await startTestServer({redisUrl: redis.url, redisMaxBackoffMs: 200});
		slow = await startTestServer({redisUrl: redis.url, redisMaxBackoffMs: 200});
		await waitFor(() => fast.stats().redis?.state === 'connected' && slow.stats().redis?.state === 'connected', 'both servers on Redis');
		proxy = await startTcpProxy(Number(new URL(slow.url).port), {delayMs});
		fastUrl = `${fast.url}/dashboard/stream`;
		slowUrl = `http://127.0.0.1:${proxy.port}/dashboard/stream`;
	});
	after(async () => {
		await proxy.close();
		await fast.close();
		await slow.close();
		await redis.stop();
	});

	test('one publish reaches both; the comparison names the slower one, latency apart by about the delay; each target\'s numbers are a run against it alone', async () => {
		const compared = await runCli(['--target', `fast=${fastUrl}`, '--target', `slow=${slowUrl}`, ...broadcastFlags(redis), '--threshold', 'fast:p50<250ms', '--threshold', `slow:p50>=${delayMs}ms`], {timeoutMs: 60_000});
		assert.equal(compared.code, 0, compared.stderr);
		const summary = parse(compared.stdout);
		assert.deepEqual(Object.keys(summary.targets!), ['fast', 'slow']);
		const {metrics, baseline} = summary.comparison!;
		assert.equal(baseline, 'fast');
		assert.equal(metrics['latencyP50']!.best, 'fast');
		assert.equal(metrics['latencyP99']!.best, 'fast');
		const apart = metrics['latencyP50']!.values['slow']! - metrics['latencyP50']!.values['fast']!;
		assert.ok(apart >= delayMs * 0.8 && apart <= delayMs * 2, `p50 apart by ${apart} ms, the delay is ${delayMs} ms`);
		assert.ok(metrics['latencyP50']!.ratios['slow']! > 1, 'slow / fast > 1');
		assert.deepEqual(summary.thresholds.map(result => [result.expr, result.passed]), [['fast:p50<250ms', true], [`slow:p50>=${delayMs}ms`, true]]);

		// The whole run: both targets' clients and messages.
		assert.equal(summary.clients.requested, 2 * clients);
		assert.equal(summary.messages.total, summary.targets!['fast']!.messages.total + summary.targets!['slow']!.messages.total);
		assert.equal(summary.target.url, `fast=${fastUrl} slow=${slowUrl}`);

		for (const [name, url] of [['fast', fastUrl], ['slow', slowUrl]] as const) {
			const alone = await runCli(['--url', url, ...broadcastFlags(redis)], {timeoutMs: 60_000});
			assert.equal(alone.code, 0, alone.stderr);
			const own = summary.targets![name]!;
			assert.deepEqual(exact(own), exact(parse(alone.stdout)), `${name}: compared and alone`);
			assert.equal(own.broadcast!.received, clients * count, `${name} got every broadcast`);
			assert.equal(own.target.url, url);
		}
	});

	test('thresholds: unqualified ones judge every target, each listed; one failing target exits 1', async () => {
		const result = await runCli(['--target', `fast=${fastUrl}`, '--target', `slow=${slowUrl}`, ...broadcastFlags(redis, 10), '--threshold', `p50<${delayMs}ms`, '--threshold', 'errors==0'], {timeoutMs: 60_000});
		assert.equal(result.code, 1, result.stderr);
		const summary = parse(result.stdout);
		assert.deepEqual(summary.thresholds.map(item => [item.expr, item.passed]), [
			[`fast:p50<${delayMs}ms`, true], ['fast:errors==0', true], [`slow:p50<${delayMs}ms`, false], ['slow:errors==0', true],
		]);
		assert.deepEqual(summary.targets!['slow']!.thresholds.map(item => item.expr), [`slow:p50<${delayMs}ms`, 'slow:errors==0']);
		assert.match(result.stderr, new RegExp(`1 of 4 thresholds failed \\(slow:p50<${delayMs}ms\\); exit 1`));
	});
});

describe('--target: any mix of protocols, and a trigger per target', () => {
	let one: TestServer;
	let two: TestServer;
	before(async () => {
		one = await startTestServer();
		two = await startTestServer();
	});
	after(async () => {
		await one.close();
		await two.close();
	});

	test('SSE, ActionCable and raw WebSocket side by side through one trigger: each counts every broadcast exactly; the report compares them', async () => {
		const directory = await mkdtemp(join(tmpdir(), 'sse-tui-compare-'));
		const report = join(directory, 'report.html');
		const result = await runCli(['--report', report,
			'--target', `sse=${one.url}/dashboard/stream`,
			'--target', `cable=${one.url.replace('http', 'ws')}/cable,origin=${one.url}`,
			'--target', `raw=${one.url.replace('http', 'ws')}/ws,ws-mode=raw`,
			'--scenario', 'broadcast', '--clients', '3', '--count', '20', '--rate', '50', '--trigger', one.url, '--drain', '3s', '--json', '--log-level', 'error',
		], {timeoutMs: 60_000});
		assert.equal(result.code, 0, result.stderr);
		const summary = parse(result.stdout);
		assert.equal(summary.target.protocol, 'mixed');
		for (const name of ['sse', 'cable', 'raw']) {
			const b = summary.targets![name]!.broadcast!;
			assert.deepEqual([b.published, b.expected, b.received, b.missing.total, b.duplicates.total], [20, 60, 60, 0, 0], name);
		}

		const html = await readFile(report, 'utf8');
		await rm(directory, {recursive: true});
		assert.match(html, /<section class="card" id="comparison"><h2>Targets compared<\/h2>/);
		assert.match(html, /<thead><tr><th>metric<\/th><th class="n">sse<\/th><th class="n">cable<\/th><th class="n">raw<\/th><\/tr><\/thead>/);
		assert.match(html, /<tr data-metric="delivery"><th scope="row">delivery<\/th><td class="n">100%<\/td><td class="n">100%<\/td><td class="n">100%<\/td><\/tr>/);
		const best = summary.comparison!.metrics['latencyP99']!.best;
		if (best !== null) {
			assert.match(html, new RegExp(`<tr data-metric="latencyP99">.*<td class="n" data-best="true"><strong>[^<]*\\*`));
		}
	});

	test('--trigger NAME=URL: each target\'s messages go through its own server, and only there; the text summary compares them', async () => {
		const result = await runCli([
			'--target', `one=${one.url}/dashboard/stream`, '--target', `two=${two.url}/dashboard/stream`,
			'--scenario', 'broadcast', '--clients', '2', '--count', '15', '--rate', '50', '--trigger', `one=${one.url}`, '--trigger', `two=${two.url}`, '--drain', '3s', '--log-level', 'error',
		], {timeoutMs: 60_000});
		assert.equal(result.code, 0, result.stderr);
		assert.match(result.stdout, /^Comparison: +2 targets, each with 2 clients \(\* better; \(Nx\) = times one's value\)$/m);
		assert.match(result.stdout, /^ {15}one +two$/m);
		for (const label of ['connected', 'msgs/s', 'latency p50', 'latency p99', 'fan-out p99', 'delivery', 'errors', 'reconnects', 'heartbeats', 'connect p99']) {
			assert.match(result.stdout, new RegExp(`^  ${label} +\\S`, 'm'), label);
		}

		// The faster one is named unless their p99s tie.
		const [, first = '', second = ''] = /^ {2}latency p99 +([\d.]+ms)\*? .*?([\d.]+ms)/m.exec(result.stdout) ?? [];
		if (first === second) {
			assert.doesNotMatch(result.stdout, /faster:/);
		} else {
			assert.match(result.stdout, new RegExp(`^ {2}faster: ${Number.parseFloat(first) < Number.parseFloat(second) ? 'one' : 'two'} \\(latency p99 `, 'm'));
		}
		for (const name of ['one', 'two']) {
			assert.match(result.stdout, new RegExp(`^  ${name}: http://127\\.0\\.0\\.1:\\d+/dashboard/stream: 2/2 connected, 30 messages, delivery 30 of 30 \\(broadcast, missing 0, duplicates 0\\), errors 0, reconnects 0$`, 'm'), name);
		}
	});
});

describe('--target: a target nobody reaches', () => {
	test('--abort-on-fail stops on its threshold; the verdict names it; --events lines carry the target', async () => {
		const server = await startTestServer({intervalMs: 100});
		const directory = await mkdtemp(join(tmpdir(), 'sse-tui-compare-'));
		const events = join(directory, 'events.ndjson');
		try {
			const result = await runCli(['--target', `up=${server.url}/dashboard/stream`, '--target', 'down=http://127.0.0.1:1/dashboard/stream', '--clients', '2', '--duration', '30s', '--retry', '200ms', '--threshold', 'down:errors==0', '--abort-on-fail', '--events', events, '--json', '--log-level', 'error'], {timeoutMs: 40_000});
			assert.equal(result.code, 1, result.stderr);
			const summary = JSON.parse(result.stdout) as Summary & {stoppedBy: string};
			assert.equal(summary.stoppedBy, 'threshold');
			assert.match(result.stderr, /threshold down:errors==0 can no longer pass/);
			assert.match(result.stderr, /no client ever connected to target down, http:\/\/127\.0\.0\.1:1\/dashboard\/stream \(errors: connect \d+\); exit 1/);
			assert.equal(summary.targets!['up']!.clients.connected, 2);
			const lines = (await readFile(events, 'utf8')).trim().split('\n').map(line => JSON.parse(line) as {kind: string; client: number; target: string});
			assert.ok(lines.some(line => line.target === 'down' && line.kind === 'error'));
			assert.ok(lines.filter(line => line.kind === 'open').every(line => line.target === 'up' && line.client % 2 === 1), 'up\'s clients are the odd ids');
		} finally {
			await server.close();
			await rm(directory, {recursive: true});
		}
	});
});

describe('--target: bad values', () => {
	const cases: Array<[string[], RegExp]> = [
		[['--target', 'a=http://127.0.0.1:1/s'], /--target compares 2 to 4 targets \(got 1\)/],
		[['--target', 'a=http://127.0.0.1:1/s', '--target', 'b=http://127.0.0.1:1/s,speed=fast'], /--target b: unknown option "speed"; the options after the URL are protocol=…, ws-mode=…, channel=…, origin=…/],
		[['--target', 'a=http://127.0.0.1:1/s', '--target', 'a=http://127.0.0.1:2/s'], /--target a is given twice/],
		[['--target', 'a=http://127.0.0.1:1/s', '--target', '1b=http://127.0.0.1:2/s'], /--target takes NAME=URL/],
		[['--target', 'a=http://127.0.0.1:1/s', '--target', 'b=ftp://127.0.0.1:2/s'], /--target b: the URL must start with http\(s\):\/\/ \(SSE\) or ws\(s\):\/\/ \(WebSocket\)/],
		[['--target', 'a=http://127.0.0.1:1/s', '--target', 'b=ws://127.0.0.1:2/ws,ws-mode=fast'], /--target b: --ws-mode must be one of/],
		[['--target', 'a=http://127.0.0.1:1/s', '--target', 'b=ws://127.0.0.1:2/ws,protocol=sse'], /--target b: a ws:\/\/ URL is a WebSocket target/],
		[['--target', 'a=http://127.0.0.1:1/s', '--target', 'b=http://127.0.0.1:2/s', '--url', 'http://127.0.0.1:1/s'], /--target names each target's URL: drop --url/],
		[['--target', 'a=http://127.0.0.1:1/s', '--target', 'b=http://127.0.0.1:2/s', '--port', '3000'], /drop --port/],
		[['--target', 'a=http://127.0.0.1:1/s', '--target', 'b=http://127.0.0.1:2/s', '--workers', '2'], /--target runs every target's clients in this one process: drop --workers/],
		[['--target', 'a=http://127.0.0.1:1/s', '--target', 'b=http://127.0.0.1:2/s', '--threshold', 'c:p99<1s'], /--threshold "c:p99<1s": "c" is not a target; name one of a, b/],
		[['--target', 'a=http://127.0.0.1:1/s', '--target', 'b=http://127.0.0.1:2/s', '--scenario', 'broadcast', '--trigger', 'a=http://127.0.0.1:1'], /--trigger NAME=URL is needed for every target: add --trigger b=/],
		[['--trigger', 'http://127.0.0.1:1', '--trigger', 'http://127.0.0.1:2', '--scenario', 'broadcast', '--port', '1'], /--trigger is given 2 times: give one trigger URL/],
		[['--target', 'a=http://127.0.0.1:1/s', '--target', 'b=http://127.0.0.1:2/s', '--scenario', 'storm'], /--scenario storm steers one pool of clients and cannot be used with --target yet/],
	];
	for (const [args, message] of cases) {
		test(`${args.slice(2).join(' ') || args.join(' ')}: exit 2, one line`, async () => {
			const result = await runCli([...args, '--duration', '1s', '--no-tui']);
			assert.equal(result.code, 2, result.stderr);
			const [line = '', ...rest] = result.stderr.trimEnd().split('\n');
			assert.match(line, message);
			assert.match(line, /^sse-tui: /);
			assert.deepEqual(rest, ['Run "sse-tui --help" for usage.']);
			assert.equal(result.stdout, '');
		});
	}
});
