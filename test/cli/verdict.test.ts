import assert from 'node:assert/strict';
import {createServer, type AddressInfo} from 'node:net';
import {after, before, describe, test} from 'node:test';
import type {Summary} from '../../source/reporters/summary.js';
import {runCli} from '../helpers/cli.js';
import {eventStreamHeaders, startTestServer, type TestServer} from '../helpers/http-server.js';

/** A port on 127.0.0.1 that was just bound and closed again: connecting to it is refused. */
async function closedPortUrl(): Promise<string> {
	const server = createServer();
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	const {port} = server.address() as AddressInfo;
	await new Promise<void>(resolve => server.close(() => resolve()));
	return `http://127.0.0.1:${port}/stream`;
}

let server: TestServer;

before(async () => {
	server = await startTestServer((request, response) => {
		eventStreamHeaders(response);
		let seq = 0;
		const timer = setInterval(() => {
			seq++;
			response.write(`id: ${seq}\ndata: {"seq":${seq},"sent_at":${Date.now()}}\n\n`);
		}, 50);
		request.on('close', () => clearInterval(timer));
	});
});

after(async () => {
	await server.close();
});

describe('sse-tui verdicts (exit codes)', () => {
	test('--help lists --threshold and --abort-on-fail, an example, and the exit codes', async () => {
		const result = await runCli(['--help']);
		assert.equal(result.code, 0);
		assert.match(result.stdout, /--threshold EXPR/);
		assert.match(result.stdout, /--abort-on-fail/);
		assert.match(result.stdout, /--threshold 'delivery>=100%' --threshold 'p99<250ms'/);
		assert.match(result.stdout, /Exit codes: 0 run completed and every threshold passed; 1 a threshold failed, or not a single\s+client ever opened/);
	});

	test('a bad --threshold exits 2 with one line listing the metrics and an example', async () => {
		const result = await runCli(['--threshold', 'p99<fast']);
		assert.equal(result.code, 2);
		assert.match(result.stderr, /^sse-tui: --threshold "p99<fast": the value must be a number.*; metrics: connected, delivery .*; for example --threshold 'p99<250ms'$/m);
		assert.equal(result.stdout, '');
	});

	test('no threshold, and not a single client ever opened (refused port): exit 1 with one line saying so', async () => {
		const url = await closedPortUrl();
		const result = await runCli(['--url', url, '--duration', '700ms', '--retry', '100ms', '--json']);
		assert.equal(result.code, 1, result.stderr);
		const summary = JSON.parse(result.stdout) as Summary;
		assert.equal(summary.clients.connected, 0);
		assert.deepEqual(summary.thresholds, []);
		const verdicts = result.stderr.split('\n').filter(line => line.startsWith('sse-tui: '));
		assert.equal(verdicts.length, 1, result.stderr);
		assert.match(verdicts[0]!, new RegExp(`^sse-tui: no client ever connected to ${url.replaceAll('.', '\\.')} \\(errors: connect \\d+\\); exit 1$`));
	});

	// delivery is left to the unit tests: its accounting is another branch's (null here until merged).
	test('every threshold passes against a real stream: exit 0, thresholds in --json', async () => {
		const result = await runCli(['--url', server.url(), '--clients', '2', '--ramp', '0', '--duration', '1s', '--json',
			'--threshold', 'connected >= 100%', '--threshold', 'errors==0', '--threshold', 'p99<10s', '--threshold', 'gaps==0']);
		assert.equal(result.code, 0, result.stderr);
		const summary = JSON.parse(result.stdout) as Summary;
		assert.deepEqual(summary.thresholds.map(({expr, metric, passed}) => ({expr, metric, passed})), [
			{expr: 'connected >= 100%', metric: 'connected', passed: true},
			{expr: 'errors==0', metric: 'errors', passed: true},
			{expr: 'p99<10s', metric: 'latency.p99', passed: true},
			{expr: 'gaps==0', metric: 'gaps', passed: true},
		]);
		assert.equal(summary.thresholds[0]!.value, 100);
		assert.equal(typeof summary.thresholds[2]!.value, 'number');
		assert.doesNotMatch(result.stderr, /exit 1/);
	});

	test('a failed threshold exits 1: the text summary shows the table and the verdict, stderr one line', async () => {
		const result = await runCli(['--url', server.url(), '--duration', '700ms', '--threshold', 'errors==0', '--threshold', 'msgs_per_s>1000000', '--threshold', 'fanout.p99<1s']);
		assert.equal(result.code, 1, result.stderr);
		assert.match(result.stdout, /^ {2}PASS {2}errors==0 +0$/m);
		assert.match(result.stdout, /^ {2}FAIL {2}msgs_per_s>1000000 +[\d.]+\/s$/m);
		assert.match(result.stdout, /^ {2}FAIL {2}fanout\.p99<1s +no data$/m);
		assert.match(result.stdout, /^Verdict: +FAIL \(2 of 3 thresholds failed: msgs_per_s>1000000, fanout\.p99<1s\)$/m);
		assert.match(result.stderr, /^sse-tui: 2 of 3 thresholds failed \(msgs_per_s>1000000, fanout\.p99<1s\); exit 1$/m);
	});

	test('--abort-on-fail stops a 30s run soon after errors==0 can no longer pass: stopped by threshold, exit 1', async () => {
		const url = await closedPortUrl();
		// runCli fails the test if the run is still going after 15 s: the abort must end it well before its 30 s.
		const result = await runCli(['--url', url, '--duration', '30s', '--retry', '100ms', '--json', '--threshold', 'errors==0', '--abort-on-fail'], {timeoutMs: 15_000});
		assert.equal(result.code, 1, result.stderr);
		const summary = JSON.parse(result.stdout) as Summary;
		assert.equal(summary.stoppedBy, 'threshold');
		assert.deepEqual(summary.thresholds.map(({expr, passed}) => ({expr, passed})), [{expr: 'errors==0', passed: false}]);
		assert.match(result.stderr, /ERROR threshold errors==0 can no longer pass \(errors \d+\): stopping \(--abort-on-fail\)/);
		assert.match(result.stderr, /stopping \(threshold\)/);
	});

	test('--abort-on-fail leaves a run alone while its thresholds can still pass', async () => {
		const result = await runCli(['--url', server.url(), '--duration', '1500ms', '--json', '--threshold', 'errors==0', '--threshold', 'p99<1ms', '--abort-on-fail']);
		const summary = JSON.parse(result.stdout) as Summary;
		assert.equal(summary.stoppedBy, 'duration', 'a latency percentile may still come down: no abort');
		assert.equal(result.code, summary.thresholds.every(threshold => threshold.passed) ? 0 : 1);
	});
});
