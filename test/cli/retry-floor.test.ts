import assert from 'node:assert/strict';
import {after, before, describe, test} from 'node:test';
import {resolveConfig} from '../../source/config.js';
import {runCli} from '../helpers/cli.js';
import {eventStreamHeaders, startTestServer, type TestServer} from '../helpers/http-server.js';

type Summary = {reconnects: number; messages: {total: number}};

const note = /the server asked for a reconnection time \(retry:\) below --min-retry 100ms; waiting 100ms instead/g;

describe('a server that sends retry: 0 and closes after each event', () => {
	let server: TestServer;
	before(async () => {
		server = await startTestServer((_request, response) => {
			eventStreamHeaders(response);
			response.end('retry: 0\ndata: {}\n\n');
		});
	});
	after(async () => {
		await server.close();
	});

	test('is reconnected to at most every 100 ms (the floor), and the run says so once', async () => {
		const result = await runCli(['--url', server.url(), '--clients', '2', '--ramp', '0', '--duration', '1s', '--json']);
		assert.equal(result.code, 0, result.stderr);
		const summary = JSON.parse(result.stdout) as Summary;
		// 1 s / 100 ms per client, with room for a slow machine; the hot loop made thousands.
		assert.ok(summary.reconnects >= 2 && summary.reconnects <= 2 * 12, `reconnects ${summary.reconnects}`);
		assert.equal(result.stderr.match(note)?.length, 1, result.stderr);
	});

	test('--min-retry 0 obeys it on purpose', async () => {
		const result = await runCli(['--url', server.url(), '--duration', '500ms', '--json', '--min-retry', '0', '--log-level', 'error']);
		assert.equal(result.code, 0, result.stderr);
		const summary = JSON.parse(result.stdout) as Summary;
		assert.ok(summary.reconnects > 12, `reconnects ${summary.reconnects}: far more than the floor allows`);
		assert.doesNotMatch(result.stderr, note);
	});
});

test('--min-retry: 100ms by default, 0 allowed, a duration like the others', () => {
	assert.equal(resolveConfig({}).minRetryMs, 100);
	assert.equal(resolveConfig({minRetry: '0'}).minRetryMs, 0);
	assert.equal(resolveConfig({minRetry: '1s'}).minRetryMs, 1000);
	assert.throws(() => resolveConfig({minRetry: 'soon'}), /^UsageError: --min-retry must be a duration/);
});
