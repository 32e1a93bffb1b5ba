import assert from 'node:assert/strict';
import {after, before, describe, test} from 'node:test';
import type {Redis} from 'ioredis';
import {RunError} from '../../source/errors.js';
import {openPublisher, type PublishResult, type Publisher} from '../../source/publish/index.js';
import {freePort, startTestRedis, type TestRedis} from '../helpers/redis-server.js';
import {waitFor} from '../helpers/server-start.js';

type Seen = {seq: number; sentAtMs: number; receivers: number; via: string};

/** A subscriber on its own connection, keeping every message as it arrived. */
async function subscribe(redis: TestRedis, channel: string): Promise<{texts: string[]; client: Redis}> {
	const client = redis.client();
	const texts: string[] = [];
	client.on('message', (from: string, text: string) => {
		if (from === channel) {
			texts.push(text);
		}
	});
	await client.subscribe(channel);
	return {texts, client};
}

/**
 * Waits until the subscriber got `end`, a marker published (from another connection) after the
 * publisher finished: Redis delivers a channel's messages in the order it ran the PUBLISHes, so
 * whatever arrived before it is everything the publisher sent.
 */
async function drain(redis: TestRedis, channel: string, texts: string[]): Promise<string[]> {
	await redis.client().publish(channel, 'end');
	await waitFor(() => texts.at(-1) === 'end', 'the end marker');
	return texts.slice(0, -1);
}

const parse = (text: string): Record<string, unknown> => JSON.parse(text) as Record<string, unknown>;

describe('openPublisher on Redis', () => {
	let redis: TestRedis;
	let publisher: Publisher;
	before(async () => {
		redis = await startTestRedis();
		publisher = await openPublisher({kind: 'redis', url: redis.url, channel: 'unused'}, {timeoutMs: 2000});
	});
	after(async () => {
		await publisher.close();
		await redis.stop();
	});

	const open = async (channel: string): Promise<Publisher> => openPublisher({kind: 'redis', url: redis.url, channel}, {timeoutMs: 2000});

	test('unpaced: every message arrives once, in seq order, tagged with the run and sent_at last', async () => {
		const channel = 'unpaced';
		const {texts} = await subscribe(redis, channel);
		const publisher = await open(channel);
		const seen: Seen[] = [];
		let result: PublishResult;
		try {
			// 2,500 crosses the pipelined bursts' boundaries.
			result = await publisher.publishSequence({count: 2500, rate: 0, run: 'run-a', padBytes: 8, onPublished: (seq, sentAtMs, receivers, via) => seen.push({seq, sentAtMs, receivers, via})});
		} finally {
			await publisher.close();
		}

		const received = await drain(redis, channel, texts);
		assert.equal(received.length, 2500);
		const updates = received.map(parse);
		assert.deepEqual(updates.map(update => update['seq']), Array.from({length: 2500}, (_, index) => index + 1));
		assert.ok(updates.every(update => update['run'] === 'run-a' && update['pad'] === 'xxxxxxxx' && Object.keys(update).at(-1) === 'sent_at'));
		assert.deepEqual(seen.map(one => one.seq), updates.map(update => update['seq']));
		assert.ok(seen.every(one => one.receivers === 1 && one.via === 'redis'), 'one subscriber each');
		assert.ok(seen.every((one, index) => one.sentAtMs <= (updates[index]!['sent_at'] as number)), 'sentAtMs is read before the message is built');
		assert.deepEqual(result, {sent: 2500, total: 2500, min: 1, max: 1, notes: []});
	});

	test('paced: numbered from firstSeq, with the caller\'s message text', async () => {
		const channel = 'paced';
		const {texts} = await subscribe(redis, channel);
		const publisher = await open(channel);
		const seen: number[] = [];
		try {
			const result = await publisher.publishSequence({count: 5, firstSeq: 10, rate: 200, message: seq => `{"mine":${seq}}`, onPublished: seq => seen.push(seq)});
			assert.equal(result.sent, 5);
		} finally {
			await publisher.close();
		}

		assert.deepEqual(await drain(redis, channel, texts), ['{"mine":10}', '{"mine":11}', '{"mine":12}', '{"mine":13}', '{"mine":14}']);
		assert.deepEqual(seen, [10, 11, 12, 13, 14]);
	});

	test('stop ends a paced sequence after the message in flight, and nothing more arrives', async () => {
		const channel = 'stopped';
		const {texts} = await subscribe(redis, channel);
		const publisher = await open(channel);
		const stop = new AbortController();
		const seen: number[] = [];
		try {
			const result = await publisher.publishSequence({count: 1000, rate: 500, stop: stop.signal, onPublished(seq) {
				seen.push(seq);
				if (seq === 3) {
					stop.abort();
				}
			}});
			assert.equal(result.sent, 3);
		} finally {
			await publisher.close();
		}

		assert.deepEqual(seen, [1, 2, 3]);
		assert.deepEqual((await drain(redis, channel, texts)).map(text => parse(text)['seq']), [1, 2, 3]);
	});

	test('stop during the wait between paced messages sends nothing more', async () => {
		const channel = 'stopped-waiting';
		const {texts} = await subscribe(redis, channel);
		const publisher = await open(channel);
		const stop = new AbortController();
		try {
			// One a second: the abort lands while the publisher waits for the second message.
			const result = await publisher.publishSequence({count: 5, rate: 1, stop: stop.signal, onPublished() {
				setTimeout(() => stop.abort(), 0);
			}});
			assert.equal(result.sent, 1);
		} finally {
			await publisher.close();
		}

		assert.equal((await drain(redis, channel, texts)).length, 1);
	});

	test('stop ends an unpaced sequence after the burst in flight; what was sent is what was reported', async () => {
		const channel = 'stopped-burst';
		const {texts} = await subscribe(redis, channel);
		const publisher = await open(channel);
		const stop = new AbortController();
		let calls = 0;
		let result: PublishResult;
		try {
			result = await publisher.publishSequence({count: 50_000, rate: 0, stop: stop.signal, onPublished() {
				calls++;
				stop.abort();
			}});
		} finally {
			await publisher.close();
		}

		assert.ok(result.sent > 0 && result.sent < 50_000, String(result.sent));
		assert.equal(calls, result.sent);
		assert.equal((await drain(redis, channel, texts)).length, result.sent);
	});

	test('an already aborted stop publishes nothing', async () => {
		const channel = 'never';
		const {texts} = await subscribe(redis, channel);
		const publisher = await open(channel);
		try {
			const result = await publisher.publishSequence({count: 10, rate: 0, stop: AbortSignal.abort(), onPublished: () => assert.fail('nothing is published')});
			assert.deepEqual(result, {sent: 0, total: 0, min: 0, max: 0, notes: []});
		} finally {
			await publisher.close();
		}

		assert.deepEqual(await drain(redis, channel, texts), []);
	});

	test('receivers is what PUBLISH reported: the subscribed connections', async () => {
		const channel = 'three';
		await Promise.all([1, 2].map(async () => subscribe(redis, channel)));
		const {texts} = await subscribe(redis, channel);
		const publisher = await open(channel);
		const receivers: number[] = [];
		try {
			const result = await publisher.publishSequence({count: 2, rate: 0, onPublished: (_seq, _at, count) => receivers.push(count)});
			assert.deepEqual(result, {sent: 2, total: 6, min: 3, max: 3, notes: []});
		} finally {
			await publisher.close();
		}

		assert.deepEqual(receivers, [3, 3]);
		assert.equal((await drain(redis, channel, texts)).length, 2);
	});

	test('bad arguments are RangeErrors before anything is sent', async () => {
		for (const options of [{count: -1, rate: 0}, {count: 1.5, rate: 0}, {count: 1, rate: -1}, {count: 1, rate: 0, firstSeq: 0}, {count: 1, rate: 0, run: 'has space'}, {count: 1, rate: 0, padBytes: -1}]) {
			await assert.rejects(publisher.publishSequence(options), RangeError, JSON.stringify(options));
		}
	});

	test('an unreachable Redis is a one-line RunError naming it without the password', async () => {
		const port = await freePort();
		await assert.rejects(openPublisher({kind: 'redis', url: `redis://:hunter2@127.0.0.1:${port}`, channel: 'x'}, {timeoutMs: 1000}), (error: unknown) => {
			assert.ok(error instanceof RunError);
			assert.match(error.message, new RegExp(`^cannot reach Redis at redis://:\\*\\*\\*@127\\.0\\.0\\.1:${port}: connect ECONNREFUSED`));
			assert.ok(!error.message.includes('\n') && !error.message.includes('hunter2'));
			return true;
		});
	});

	test('Redis lost during a sequence is a RunError saying how far it got', async () => {
		const own = await startTestRedis();
		const publisher = await openPublisher({kind: 'redis', url: own.url, channel: 'lost'}, {timeoutMs: 1000});
		try {
			await assert.rejects(publisher.publishSequence({count: 1000, rate: 50, async onPublished(seq) {
				if (seq === 2) {
					await own.kill();
				}
			}}), (error: unknown) => {
				assert.ok(error instanceof RunError);
				assert.match(error.message, /^publishing on lost failed after \d+ of 1000 messages: /);
				return true;
			});
		} finally {
			await publisher.close();
			await own.stop();
		}
	});
});
