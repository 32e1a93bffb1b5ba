import assert from 'node:assert/strict';
import {createServer} from 'node:http';
import type {AddressInfo} from 'node:net';
import {after, before, describe, test} from 'node:test';
import {resolvePublishOptions} from '../../server/publish-options.js';
import {UsageError} from '../../source/errors.js';
import {runCli} from '../helpers/cli.js';
import {freePort, startTestRedis, type TestRedis} from '../helpers/redis-server.js';
import {openRawSse, startTestServer, waitFor, type RawSse, type TestServer} from '../helpers/server-start.js';

const data = (sse: RawSse): Array<Record<string, any>> => sse.events().map(event => JSON.parse(event.data) as Record<string, any>);

describe('sse-tui publish', () => {
	let redis: TestRedis;
	let servers: TestServer[];
	before(async () => {
		redis = await startTestRedis();
		servers = await Promise.all([1, 2].map(async () => startTestServer({redisUrl: redis.url, redisChannel: 'publish_test'})));
		await waitFor(() => servers.every(server => server.stats().redis?.state === 'connected'), 'Redis');
	});
	after(async () => {
		await Promise.all(servers.map(async server => server.close()));
		await redis.stop();
	});

	const subscribe = async (): Promise<RawSse[]> => {
		const streams = await Promise.all(servers.map(async server => openRawSse(server.url)));
		await waitFor(() => servers.every(server => server.stats().sse.current === 1), 'one client per instance');
		return streams;
	};

	test('--count and --pad publish numbered test updates and print the subscribers of each', async () => {
		const streams = await subscribe();
		try {
			const result = await runCli(['publish', '--redis', redis.url, '--channel', 'publish_test', '--count', '3', '--pad', '16']);
			assert.equal(result.code, 0, result.stderr);
			const lines = result.stdout.trimEnd().split('\n');
			assert.deepEqual(lines.slice(0, 3), ['#1 -> 2 subscribers', '#2 -> 2 subscribers', '#3 -> 2 subscribers']);
			assert.match(lines[3]!, new RegExp(`^published 3 messages on publish_test \\(redis://127\\.0\\.0\\.1:${redis.port}\\) in .*; subscribers: 6 in total, 2 each$`));
			for (const sse of streams) {
				await waitFor(() => sse.events().length === 3, 'three updates');
				const updates = data(sse);
				assert.deepEqual(updates.map(update => update['seq']), [1, 2, 3]);
				assert.ok(updates.every(update => update['type'] === 'test_update' && update['pad'] === 'x'.repeat(16) && typeof update['sent_at'] === 'number' && typeof update['job_id'] === 'string'));
				assert.equal(updates[0]!['message'], 'Test update #1 from sse-tui publish');
			}
		} finally {
			for (const sse of streams) {
				sse.close();
			}
		}
	});

	test('a JSON argument is published as is; many messages are summarised; --rate paces them', async () => {
		const streams = await subscribe();
		try {
			const given = await runCli(['publish', '--channel', 'publish_test', '{"type":"announcement","n":1}'], {env: {REDIS_URL: redis.url}});
			assert.equal(given.code, 0, given.stderr);
			await waitFor(() => streams.every(sse => sse.events().length === 1), 'the JSON');
			assert.deepEqual(data(streams[0]!), [{type: 'announcement', n: 1}]);

			const started = Date.now();
			const paced = await runCli(['publish', '--redis', redis.url, '--channel', 'publish_test', '--count', '40', '--rate', '100/s']);
			assert.equal(paced.code, 0, paced.stderr);
			assert.ok(Date.now() - started >= 390, 'forty at 100/s take at least 0.39 s');
			assert.equal(paced.stdout.split('\n').filter(line => line.startsWith('#')).length, 0, 'no line per message above 10');
			assert.match(paced.stdout, /^published 40 messages on publish_test .*; subscribers: 80 in total, 2 each\n$/);
			await waitFor(() => streams.every(sse => sse.events().length === 41), 'all forty on both');
		} finally {
			for (const sse of streams) {
				sse.close();
			}
		}
	});

	test('--http sends the updates through a trigger endpoint', async () => {
		const streams = await subscribe();
		try {
			const result = await runCli(['publish', '--http', `${servers[0]!.url}/dashboard/trigger-test`, '--count', '4']);
			assert.equal(result.code, 0, result.stderr);
			assert.match(result.stdout, /^published 4 messages on http:\/\/127\.0\.0\.1:\d+\/dashboard\/trigger-test in .*receivers \(instances via Redis, else clients\): 8 in total, 2 each\n$/);
			await waitFor(() => streams.every(sse => sse.events().length === 4), 'four on both instances');
		} finally {
			for (const sse of streams) {
				sse.close();
			}
		}
	});

	test('--run tags the test updates with the run, through Redis and through the trigger', async () => {
		const streams = await subscribe();
		try {
			const viaRedis = await runCli(['publish', '--redis', redis.url, '--channel', 'publish_test', '--count', '2', '--run', 'cli-run']);
			assert.equal(viaRedis.code, 0, viaRedis.stderr);
			assert.match(viaRedis.stdout, /^#1 -> 2 subscribers\n#2 -> 2 subscribers\npublished 2 messages/);
			const viaHttp = await runCli(['publish', '--http', servers[1]!.url, '--count', '3', '--run', 'cli-http']);
			assert.equal(viaHttp.code, 0, viaHttp.stderr);
			for (const sse of streams) {
				await waitFor(() => sse.events().length === 5, 'five updates');
				assert.deepEqual(data(sse).map(update => [update['run'], update['seq']]), [['cli-run', 1], ['cli-run', 2], ['cli-http', 1], ['cli-http', 2], ['cli-http', 3]]);
				assert.ok(sse.events().every(event => /"sent_at":\d+\}$/.test(event.data)), 'sent_at last');
			}
		} finally {
			for (const sse of streams) {
				sse.close();
			}
		}
	});

	test('--run must be a run id, for test updates only; --help lists it', async () => {
		const results = await Promise.all([['--run', 'a b'], ['--run', 'x'.repeat(65)], ['--run', 'ok', '{}']].map(async args => runCli(['publish', ...args])));
		for (const result of results) {
			assert.equal(result.code, 2);
			assert.equal(result.stdout, '');
		}

		assert.match(results[0]!.stderr.split('\n')[0]!, /^sse-tui: --run must be 1-64 characters of A-Z, a-z, 0-9, _ and -, like load-42 \(got "a b"\)$/);
		assert.match(results[1]!.stderr, /^sse-tui: --run must be 1-64 characters/);
		assert.match(results[2]!.stderr, /^sse-tui: --run tags test updates, not a JSON message you give/);
		assert.equal(resolvePublishOptions({run: 'r-1'}, [], {}).run, 'r-1');
		assert.equal(resolvePublishOptions({run: 'r-1', http: 'http://h'}, [], {}).run, 'r-1');
		assert.match((await runCli(['publish', '--help'])).stdout, /--run ID/);
	});

	test('unreachable Redis or endpoint exits 1 quickly, with the reason and no password', async () => {
		const port = await freePort();
		const started = Date.now();
		const [viaRedis, viaHttp] = await Promise.all([
			runCli(['publish', '--redis', `redis://:hunter2@127.0.0.1:${port}`, '--timeout', '1s']),
			runCli(['publish', '--http', `http://127.0.0.1:${port}/dashboard/trigger-test`, '--timeout', '1s']),
		]);
		assert.ok(Date.now() - started < 5000, 'bounded');
		assert.equal(viaRedis.code, 1);
		assert.match(viaRedis.stderr, new RegExp(`^sse-tui: cannot reach Redis at redis://:\\*\\*\\*@127\\.0\\.0\\.1:${port}: connect ECONNREFUSED`));
		assert.ok(!viaRedis.stderr.includes('hunter2'));
		assert.equal(viaHttp.code, 1);
		assert.match(viaHttp.stderr, /^sse-tui: cannot reach http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/);
	});

	test('bad flags exit 2 with one line naming the fix; --help has examples', async () => {
		const cases: Array<[string[], RegExp]> = [
			[['--bogus'], /^sse-tui: unknown flag --bogus; run "sse-tui publish --help" for the list$/],
			[['--count', '0'], /^sse-tui: --count must be a whole number from 1 to 10000000 \(got "0"\)$/],
			[['--rate', 'fast'], /^sse-tui: --rate must be messages per second like 100 or 100\/s/],
			[['{bad'], /^sse-tui: the message must be valid JSON/],
		];
		const results = await Promise.all(cases.map(async ([args]) => runCli(['publish', ...args])));
		for (const [index, result] of results.entries()) {
			assert.equal(result.code, 2, cases[index]![0].join(' '));
			assert.match(result.stderr.split('\n')[0]!, cases[index]![1]);
			assert.equal(result.stdout, '');
		}

		const help = await runCli(['publish', '--help']);
		assert.equal(help.code, 0);
		assert.match(help.stdout, /^Usage\n\s+\$ sse-tui publish \[options\] \[JSON\]/);
		for (const flag of ['--redis', '--channel', '--count', '--rate', '--pad', '--http', '--timeout']) {
			assert.ok(help.stdout.includes(flag), flag);
		}

		assert.match(help.stdout, /Examples\n.*\n\s+\$ sse-tui publish\n/);
	});

	test('--pad is capped where it is published (1MiB on Redis, the trigger\'s 64KiB), one line, never a crash', async () => {
		const huge = await runCli(['publish', '--pad', '600MB', '--redis', 'redis://127.0.0.1:1']);
		assert.equal(huge.code, 2);
		assert.match(huge.stderr, /^sse-tui: --pad can be at most 1MiB through Redis \(got "600MB"\)\n/);
		assert.doesNotMatch(huge.stderr, /RangeError|\n\s+at /);
		assert.throws(() => resolvePublishOptions({http: 'http://h', pad: '65537'}, [], {}), /--pad can be at most 64KiB through a trigger endpoint/);
		assert.equal(resolvePublishOptions({http: 'http://h', pad: '64KiB'}, [], {}).padBytes, 65_536);
		assert.equal(resolvePublishOptions({pad: '1MiB'}, [], {}).padBytes, 1024 * 1024);
	});

	test('a port that does not speak Redis is named as such, not as ioredis\'s "please report this"', async () => {
		const http = createServer((_request, response) => {
			response.end('not redis');
		});
		await new Promise<void>(resolve => http.listen(0, '127.0.0.1', resolve));
		try {
			const {port} = http.address() as AddressInfo;
			const result = await runCli(['publish', '--redis', `redis://127.0.0.1:${port}`, '--timeout', '2s']);
			assert.equal(result.code, 1);
			assert.match(result.stderr, new RegExp(`^sse-tui: redis://127\\.0\\.0\\.1:${port} does not speak Redis \\(it answered something else: an HTTP server\\?\\); check the host and port`));
			assert.doesNotMatch(result.stderr, /Please report this/);
		} finally {
			await new Promise(resolve => http.close(resolve));
		}
	});

	test('options resolve purely, with defaults', () => {
		const options = resolvePublishOptions({}, [], {});
		assert.deepEqual(options, {target: {kind: 'redis', url: 'redis://127.0.0.1:6379', channel: 'dashboard_updates'}, count: 1, rate: 0, padBytes: 0, message: undefined, timeoutMs: 5000});
		assert.equal(resolvePublishOptions({rate: '2.5'}, [], {}).rate, 2.5);
		assert.equal(resolvePublishOptions({pad: '1KiB'}, [], {}).padBytes, 1024);
		assert.deepEqual(resolvePublishOptions({http: 'http://h:3001'}, [], {}).target, {kind: 'http', url: 'http://h:3001/dashboard/trigger-test'});
		for (const [flags, input] of [
			[{http: 'http://h', redis: 'redis://h'}, []],
			[{http: 'http://h'}, ['{}']],
			[{pad: '10'}, ['{}']],
			[{}, ['{}', '{}']],
			[{http: 'ftp://h'}, []],
		] as const) {
			assert.throws(() => resolvePublishOptions(flags, input, {}), UsageError, JSON.stringify([flags, input]));
		}
	});
});
