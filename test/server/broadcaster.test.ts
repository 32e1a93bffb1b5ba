import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {Broadcaster, type Sink} from '../../server/broadcaster.js';
import {RingReplayStore} from '../../server/replay.js';

function createSink(): Sink & {writes: Buffer[]; destroyed: boolean; backlog: number} {
	const sink = {
		writes: [] as Buffer[],
		destroyed: false,
		backlog: 0,
		write(chunk: Buffer) {
			sink.writes.push(chunk);
			return true;
		},
		get writableLength() {
			return sink.backlog;
		},
		destroy() {
			sink.destroyed = true;
		},
	};
	return sink;
}

const tick = async (): Promise<void> =>
	new Promise(resolve => {
		setImmediate(resolve);
	});

function createBroadcaster(maxBuffer = 1024 * 1024): Broadcaster {
	return new Broadcaster({replay: new RingReplayStore(10), maxBuffer});
}

describe('Broadcaster', () => {
	test('coalesces a burst into one write per subscriber per tick', async () => {
		const broadcaster = createBroadcaster();
		const sinks = [createSink(), createSink(), createSink()];
		for (const sink of sinks) {
			broadcaster.add('sse', sink);
		}

		for (let index = 0; index < 100; index++) {
			assert.equal(broadcaster.broadcast({index}), 3);
		}

		assert.ok(sinks.every(sink => sink.writes.length === 0), 'nothing is written synchronously');
		await tick();
		for (const sink of sinks) {
			assert.equal(sink.writes.length, 1);
			const text = sink.writes[0]!.toString();
			assert.ok(text.startsWith('id: 1\ndata: {"index":0}\n\n'));
			assert.ok(text.endsWith('id: 100\ndata: {"index":99}\n\n'));
		}

		broadcaster.broadcast({index: 100});
		await tick();
		assert.ok(sinks.every(sink => sink.writes.length === 2));
	});

	test('hands every subscriber the same frame buffer (serialised once)', async () => {
		const broadcaster = createBroadcaster();
		const sse = [createSink(), createSink()];
		const ws = [createSink(), createSink()];
		const cable = [createSink(), createSink()];
		for (const sink of sse) {
			broadcaster.add('sse', sink);
		}

		for (const sink of ws) {
			broadcaster.add('ws', sink);
		}

		for (const sink of cable) {
			broadcaster.stream(broadcaster.add('cable', sink), '{"channel":"DashboardUpdatesChannel"}');
		}

		assert.equal(broadcaster.broadcast({n: 1}), 6);
		await tick();
		for (const group of [sse, ws, cable]) {
			assert.equal(group[0]!.writes[0], group[1]!.writes[0], 'same Buffer object');
		}

		assert.notEqual(sse[0]!.writes[0], ws[0]!.writes[0]);
		assert.deepEqual(broadcaster.counts.sse, {current: 2, total: 2, messages: 2});
	});

	test('drops a subscriber whose unsent bytes would pass maxBuffer, and only that one', async () => {
		const broadcaster = createBroadcaster(1000);
		const slow = createSink();
		const fast = createSink();
		broadcaster.add('sse', slow);
		broadcaster.add('sse', fast);
		slow.backlog = 900;
		assert.equal(broadcaster.broadcast({pad: 'x'.repeat(100)}), 1);
		assert.equal(slow.destroyed, true);
		assert.equal(fast.destroyed, false);
		assert.equal(broadcaster.drops, 1);
		assert.equal(broadcaster.counts.sse.current, 1);
		await tick();
		assert.equal(slow.writes.length, 0);
		assert.equal(fast.writes.length, 1);
	});

	test('queued bytes count towards the limit within one tick', () => {
		const broadcaster = createBroadcaster(500);
		const sink = createSink();
		broadcaster.add('sse', sink);
		let delivered = 0;
		for (let index = 0; index < 20; index++) {
			delivered += broadcaster.broadcast({pad: 'x'.repeat(50)});
		}

		assert.ok(delivered > 0 && delivered < 20);
		assert.equal(sink.destroyed, true);
	});

	test('remove() is idempotent and cleans cable streams', async () => {
		const broadcaster = createBroadcaster();
		const sink = createSink();
		const subscriber = broadcaster.add('cable', sink);
		broadcaster.stream(subscriber, 'a');
		broadcaster.remove(subscriber);
		broadcaster.remove(subscriber);
		assert.equal(broadcaster.counts.cable.current, 0);
		assert.equal(broadcaster.broadcast({n: 1}), 0);
		await tick();
		assert.equal(sink.writes.length, 0);
	});
});
