import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {resolveConfig} from '../../source/config.js';
import type {Client} from '../../source/engine/types.js';
import type {Pool} from '../../source/engine/pool.js';
import {MetricsStore} from '../../source/metrics/store.js';
import {createShapeRun, type ShapeRun} from '../../source/shapes/driver.js';

/** A run of `clients` clients driven by hand: events go to the store and the shape, as run.ts sends them. */
function drivenRun(flags: Parameters<typeof resolveConfig>[0]) {
	let now = 0;
	const store = new MetricsStore({now: () => now});
	const ended: string[] = [];
	const dropped: number[] = [];
	const clients = Array.from({length: 8}, (_, index): Client => ({
		id: index + 1,
		async start() {
			// Never ends on its own.
		},
		async stop() {
			// Nothing held.
		},
		drop() {
			dropped.push(index + 1);
		},
	}));
	const pool: Pool = {
		add() {
			// The test opens clients itself.
		},
		async remove() {
			// Not used here.
		},
		async removeOldest() {
			// Not used here.
		},
		forEach(fn) {
			clients.forEach(fn);
		},
		dropAll() {
			for (const client of clients) {
				client.drop();
			}
		},
		async stop() {
			// Not used here.
		},
		size: 0,
	};
	const shape: ShapeRun = createShapeRun({config: resolveConfig(flags), pool, store, end: reason => ended.push(reason), log() {
		// Quiet.
	}, rss: () => 0});
	const emit = (event: Parameters<MetricsStore['emit']>[0]) => {
		store.emit(event);
		shape.observe(event);
	};

	const open = (id: number, attempt = 1) => {
		emit({kind: 'connecting', client: id, attempt});
		emit({kind: 'open', client: id, status: 200, connectMs: 1, url: 'http://x/'});
	};

	const drop = (id: number) => {
		emit({kind: 'close', client: id, reason: 'stream ended by server', final: false});
		emit({kind: 'reconnect', client: id, delayMs: 3000, attempt: 2, lastEventId: ''});
	};

	return {shape, emit, open, drop, ended, dropped, advance(ms: number) {
		now += ms;
	}};
}

describe('shape driver: the storm', () => {
	test('half of the open clients dropping within 2 s is a server restart; the storm ends when every dropped client is back', () => {
		const run = drivenRun({scenario: 'storm', clients: '4'});
		for (const id of [1, 2, 3, 4]) {
			run.open(id);
		}

		run.advance(1000);
		run.drop(1);
		assert.equal(run.shape.summary().storm?.trigger, null, 'one of four is no storm');
		run.advance(500);
		run.drop(2);
		let storm = run.shape.summary().storm!;
		assert.equal(storm.trigger, 'server-restart');
		assert.equal(storm.atMs, 1000, 'from the first drop of the window');
		run.drop(3);
		run.drop(4);
		assert.equal(run.shape.summary().storm?.dropped, 4, 'later drops join the storm');
		assert.match(run.shape.status()!.text, /0% back \(0\/4\)/);

		run.advance(1500);
		run.emit({kind: 'error', client: 1, error: 'connect', message: 'refused'});
		run.open(1, 2);
		run.open(2, 2);
		storm = run.shape.summary().storm!;
		assert.equal(storm.backMs.p50, 2000);
		assert.equal(storm.backMs.p100, null);
		assert.deepEqual(storm.failedAttempts, {total: 1, byKind: {connect: 1}});
		assert.deepEqual(run.ended, []);

		run.advance(1000);
		run.open(3, 2);
		run.open(4, 2);
		storm = run.shape.summary().storm!;
		assert.equal(storm.back, 4);
		assert.equal(storm.backMs.p99, 3000);
		assert.equal(storm.backMs.p100, 3000);
		assert.equal(storm.recoveryMs?.count, 4);
		assert.deepEqual(run.ended, ['finished'], 'without --duration the run ends once all are back');
		assert.match(run.shape.status()!.text, /100% back \(4\/4\)/);
	});

	test('clients stopping for good (the end of the run) are not a restart', () => {
		const run = drivenRun({scenario: 'storm', clients: '2'});
		run.open(1);
		run.open(2);
		run.emit({kind: 'close', client: 1, reason: 'stopped', final: true});
		run.emit({kind: 'close', client: 2, reason: 'stopped', final: true});
		assert.equal(run.shape.summary().storm?.trigger, null);
	});

	test('a run without a shape adds no Summary block and no status', () => {
		const run = drivenRun({clients: '2'});
		run.open(1);
		assert.deepEqual(run.shape.summary(), {});
		assert.equal(run.shape.status(), undefined);
	});
});
