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

	test('queued bytes count towards the limit within one tick when the socket is behind', () => {
		const broadcaster = createBroadcaster(500);
		const sink = createSink();
		broadcaster.add('sse', sink);
		sink.backlog = 10;
		let delivered = 0;
		for (let index = 0; index < 20; index++) {
			delivered += broadcaster.broadcast({pad: 'x'.repeat(50)});
		}

		assert.ok(delivered > 0 && delivered < 20);
		assert.equal(sink.destroyed, true);
	});

	test('one tick bigger than maxBuffer reaches a reader that had caught up, and one that drains it stays (defect 9)', async () => {
		const broadcaster = createBroadcaster(500);
		const sink = createSink();
		broadcaster.add('sse', sink);
		let delivered = 0;
		for (let index = 0; index < 20; index++) {
			delivered += broadcaster.broadcast({pad: 'x'.repeat(50)});
		}

		assert.equal(delivered, 20, 'the whole burst, about 1,600 bytes, is queued');
		assert.equal(sink.destroyed, false);
		await tick();
		assert.equal(sink.writes.length, 1);
		const burst = sink.writes[0]!.length;
		assert.ok(burst > 1000);
		// The socket still holds most of it when the next update comes: still within the burst.
		sink.backlog = burst - 100;
		assert.equal(broadcaster.broadcast({n: 1}), 1);
		await tick();
		// It drained; the allowance is gone and the byte rule is the plain one again.
		sink.backlog = 0;
		assert.equal(broadcaster.broadcast({n: 2}), 1);
		await tick();
		sink.backlog = 480;
		assert.equal(broadcaster.broadcast({pad: 'x'.repeat(50)}), 0);
		assert.equal(sink.destroyed, true);
		assert.equal(broadcaster.drops, 1);
	});

	test('a reader that makes no write progress for stallTimeoutMs is dropped, however few bytes wait (defect 9)', async () => {
		const dropped: string[] = [];
		const broadcaster = new Broadcaster({replay: new RingReplayStore(10), maxBuffer: 1024 * 1024, stallTimeoutMs: 1000, onDrop: (_subscriber, reason) => dropped.push(reason)});
		const stuck = createSink();
		const slowButMoving = createSink();
		const idle = createSink();
		broadcaster.add('sse', stuck);
		broadcaster.add('sse', slowButMoving);
		broadcaster.add('sse', idle);
		let now = 0;
		broadcaster.sweepStalled(now);
		for (let second = 1; second <= 3; second++) {
			broadcaster.broadcast({second});
			await tick();
			stuck.backlog += stuck.writes.at(-1)!.length; // Nothing leaves this socket.
			slowButMoving.backlog += slowButMoving.writes.at(-1)!.length - 1; // One byte a second leaves.
			idle.backlog = 0;
			now += 600;
			broadcaster.sweepStalled(now);
		}

		assert.equal(stuck.destroyed, true, 'no byte sent for over a second');
		assert.equal(slowButMoving.destroyed, false);
		assert.equal(idle.destroyed, false);
		assert.deepEqual(dropped, ['stalled']);
		assert.equal(broadcaster.stalls, 1);
		assert.equal(broadcaster.drops, 0);
	});

	test('a flush of many subscribers yields to the event loop and finishes on later turns', async () => {
		const broadcaster = createBroadcaster();
		const sinks = Array.from({length: 2000}, () => createSink());
		for (const sink of sinks) {
			const write = sink.write.bind(sink);
			sink.write = chunk => {
				const until = performance.now() + 0.02; // 20 µs per write: 40 ms for all.
				while (performance.now() < until) {}
				return write(chunk);
			};

			broadcaster.add('sse', sink);
		}

		broadcaster.broadcast({n: 1});
		let turns = 0;
		const flushed = broadcaster.flushed().then(() => turns);
		const counting = setInterval(() => {
			turns++;
		}, 0);
		await flushed;
		clearInterval(counting);
		assert.ok(sinks.every(sink => sink.writes.length === 1), 'everyone got it');
		assert.ok(turns >= 2, `timers ran ${turns} times while it flushed`);
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
