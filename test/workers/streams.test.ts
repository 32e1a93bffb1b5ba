import assert from 'node:assert/strict';
import {after, before, describe, test} from 'node:test';
import type {Summary} from '../../source/reporters/summary.js';
import {runCli} from '../helpers/cli.js';
import {startTestServer, type TestServer} from '../helpers/server-start.js';

let server: TestServer;

before(async () => {
	server = await startTestServer();
});

after(async () => {
	await server.close();
});

async function streams(workers: number, more: string[] = []): Promise<Summary> {
	const result = await runCli([
		'--url', `${server.url}/stream/echo`, '--method', 'POST', '--body', '{"events":20,"interval":"2ms"}', '--until-data', '[DONE]', '--then', 'stop',
		'--clients', '6', '--ramp', '0', '--workers', String(workers), '--json', '--threshold', 'completed>=99%', '--threshold', 'ttfe.p99<10s', ...more,
	], {timeoutMs: 40_000, env: {http_proxy: '', ALL_PROXY: '', all_proxy: ''}});
	assert.equal(result.code, 0, result.stderr);
	return JSON.parse(result.stdout) as Summary;
}

describe('request streams across worker processes', () => {
	test('--workers 2: every count of the streams block sums to what --workers 1 measures', async () => {
		const [one, two] = [await streams(1), await streams(2)];
		for (const summary of [one, two]) {
			assert.equal(summary.stoppedBy, 'finished');
			assert.equal(summary.streams!.requests, 6);
			assert.equal(summary.streams!.completed, 6);
			assert.deepEqual(summary.thresholds.map(item => item.passed), [true, true]);
		}

		const counts = (summary: Summary) => {
			const s = summary.streams!;
			return {
				messages: summary.messages.total, connected: summary.clients.connected, method: s.method, then: s.then, requests: s.requests, ended: s.ended, inFlight: s.inFlight,
				completed: s.completed, completedRatio: s.completedRatio, outcomes: s.outcomes, eventsPerStream: s.eventsPerStream,
				histograms: [s.headersMs?.count, s.ttfeMs?.count, s.gapMs?.count, s.streamMs?.count, s.eventsPerSec?.count, s.bytesPerSec?.count],
				resets: summary.delivery.resets,
			};
		};

		assert.deepEqual(counts(two), counts(one));
		assert.deepEqual(counts(two).histograms, [6, 6, 6 * 20, 6, 6, 6]);
		assert.equal(two.messages.total, 6 * 21, '20 events and the [DONE] marker each');
	});
});
