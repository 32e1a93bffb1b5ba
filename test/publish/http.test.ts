import assert from 'node:assert/strict';
import {after, before, describe, test} from 'node:test';
import {RunError} from '../../source/errors.js';
import {openPublisher, type Publisher, type PublishedVia} from '../../source/publish/index.js';
import {freePort, startTestRedis, type TestRedis} from '../helpers/redis-server.js';
import {openRawSse, startTestServer, waitFor, type RawSse, type TestServer} from '../helpers/server-start.js';

type Seen = {seq: number; sentAtMs: number; receivers: number; via: PublishedVia};

const updates = (sse: RawSse): Array<Record<string, unknown>> => sse.events().map(event => JSON.parse(event.data) as Record<string, unknown>);

describe('openPublisher on a trigger endpoint', () => {
	let server: TestServer;
	let sse: RawSse;
	let publisher: Publisher;
	before(async () => {
		server = await startTestServer();
		sse = await openRawSse(server.url);
		await waitFor(() => server.stats().sse.current === 1, 'the SSE client');
		publisher = await openPublisher({kind: 'http', url: `${server.url}/dashboard/trigger-test`}, {timeoutMs: 2000});
	});
	after(async () => {
		await publisher.close();
		sse.close();
		await server.close();
	});

	/** The updates of `run` this client received, once there are `count` of them. */
	const received = async (run: string, count: number): Promise<Array<Record<string, unknown>>> => {
		await waitFor(() => updates(sse).filter(update => update['run'] === run).length >= count, `${count} updates of ${run}`);
		return updates(sse).filter(update => update['run'] === run);
	};

	test('unpaced: one request, the server numbers the run\'s updates 1..N, sent_at last', async () => {
		const seen: Seen[] = [];
		const before = Date.now();
		const result = await publisher.publishSequence({count: 6, rate: 0, run: 'http-a', padBytes: 4, message: () => assert.fail('not used over HTTP'), onPublished: (seq, sentAtMs, receivers, via) => seen.push({seq, sentAtMs, receivers, via})});
		const got = await received('http-a', 6);
		assert.deepEqual(got.map(update => update['seq']), [1, 2, 3, 4, 5, 6]);
		assert.ok(got.every(update => update['type'] === 'test_update' && update['pad'] === 'xxxx' && Object.keys(update).at(-1) === 'sent_at'));
		assert.deepEqual(seen.map(one => one.seq), [1, 2, 3, 4, 5, 6]);
		assert.ok(seen.every(one => one.receivers === 1 && one.via === 'local'), JSON.stringify(seen));
		assert.equal(new Set(seen.map(one => one.sentAtMs)).size, 1, 'one request: one send time');
		assert.ok(seen[0]!.sentAtMs >= before && seen[0]!.sentAtMs <= (got[0]!['sent_at'] as number));
		assert.deepEqual(result, {sent: 6, total: 6, min: 1, max: 1, notes: []});
	});

	test('paced: one request per update, numbered from firstSeq', async () => {
		const seen: number[] = [];
		const result = await publisher.publishSequence({count: 3, firstSeq: 7, rate: 100, run: 'http-b', onPublished: seq => seen.push(seq)});
		assert.equal(result.sent, 3);
		assert.deepEqual((await received('http-b', 3)).map(update => update['seq']), [7, 8, 9]);
		assert.deepEqual(seen, [7, 8, 9]);
	});

	test('stop ends a paced sequence after the request in flight', async () => {
		const stop = new AbortController();
		const seen: number[] = [];
		const result = await publisher.publishSequence({count: 100, rate: 200, run: 'http-c', stop: stop.signal, onPublished(seq) {
			seen.push(seq);
			if (seq === 2) {
				stop.abort();
			}
		}});
		assert.equal(result.sent, 2);
		assert.deepEqual(seen, [1, 2]);
		// A later run's update arrives after anything of this one, on the same stream.
		await publisher.publishSequence({count: 1, rate: 0, run: 'http-c-end'});
		await received('http-c-end', 1);
		assert.deepEqual(updates(sse).filter(update => update['run'] === 'http-c').map(update => update['seq']), [1, 2]);
	});

	test('an abort while waiting, or before the start, sends nothing more', async () => {
		const stop = new AbortController();
		// One a second: the abort lands while the publisher waits for the second request.
		const waiting = await publisher.publishSequence({count: 5, rate: 1, run: 'http-d', stop: stop.signal, onPublished() {
			setTimeout(() => stop.abort(), 0);
		}});
		assert.equal(waiting.sent, 1);
		const never = await publisher.publishSequence({count: 5, rate: 0, run: 'http-d', stop: AbortSignal.abort(), onPublished: () => assert.fail('nothing is sent')});
		assert.deepEqual(never, {sent: 0, total: 0, min: 0, max: 0, notes: []});
		await publisher.publishSequence({count: 1, rate: 0, run: 'http-d-end'});
		await received('http-d-end', 1);
		assert.deepEqual(updates(sse).filter(update => update['run'] === 'http-d').map(update => update['seq']), [1]);
	});

	test('without a run the updates carry no run and no seq, as before', async () => {
		const count = updates(sse).length;
		await publisher.publishSequence({count: 1, rate: 0});
		await waitFor(() => updates(sse).length === count + 1, 'the update');
		const update = updates(sse).at(-1)!;
		assert.ok(!('run' in update) && !('seq' in update), JSON.stringify(update));
	});

	test('an unreachable endpoint or a refusal is a one-line RunError', async () => {
		const port = await freePort();
		const nowhere = await openPublisher({kind: 'http', url: `http://127.0.0.1:${port}/dashboard/trigger-test`}, {timeoutMs: 1000});
		await assert.rejects(nowhere.publishSequence({count: 1, rate: 0}), (error: unknown) => error instanceof RunError && /^cannot reach http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED; is "sse-tui serve" running there\?$/.test(error.message));
		const notFound = await openPublisher({kind: 'http', url: `${server.url}/no/trigger`}, {timeoutMs: 1000});
		await assert.rejects(notFound.publishSequence({count: 1, rate: 0}), (error: unknown) => error instanceof RunError && /^POST http:\/\/127\.0\.0\.1:\d+\/no\/trigger\?count=1&pad=0 answered 404: /.test(error.message) && !error.message.includes('\n'));
	});
});

describe('openPublisher on the trigger of sse-tui serve --redis', () => {
	let redis: TestRedis;
	let servers: TestServer[];
	before(async () => {
		redis = await startTestRedis();
		servers = await Promise.all([1, 2].map(async () => startTestServer({redisUrl: redis.url, redisChannel: 'trigger_run'})));
		await waitFor(() => servers.every(server => server.stats().redis?.state === 'connected'), 'Redis');
	});
	after(async () => {
		await Promise.all(servers.map(async server => server.close()));
		await redis.stop();
	});

	test('every instance delivers the same run and seqs, published once through Redis', async () => {
		const streams = await Promise.all(servers.map(async server => openRawSse(server.url)));
		const publisher = await openPublisher({kind: 'http', url: `${servers[0]!.url}/dashboard/trigger-test`}, {timeoutMs: 2000});
		try {
			await waitFor(() => servers.every(server => server.stats().sse.current === 1), 'one client per instance');
			const seen: Seen[] = [];
			const result = await publisher.publishSequence({count: 5, firstSeq: 3, rate: 0, run: 'cluster', onPublished: (seq, sentAtMs, receivers, via) => seen.push({seq, sentAtMs, receivers, via})});
			assert.deepEqual(result, {sent: 5, total: 10, min: 2, max: 2, notes: []});
			assert.deepEqual(seen.map(({seq, receivers, via}) => [seq, receivers, via]), [3, 4, 5, 6, 7].map(seq => [seq, 2, 'redis']));
			for (const sse of streams) {
				await waitFor(() => sse.events().length === 5, 'five updates');
				const got = updates(sse);
				assert.deepEqual(got.map(update => update['seq']), [3, 4, 5, 6, 7]);
				assert.ok(got.every(update => update['run'] === 'cluster' && Object.keys(update).at(-1) === 'sent_at'));
			}

			assert.deepEqual(updates(streams[0]!).map(update => update['sent_at']), updates(streams[1]!).map(update => update['sent_at']), 'the same JSON on both');
		} finally {
			await publisher.close();
			for (const sse of streams) {
				sse.close();
			}
		}
	});
});
