import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {MetricsStore} from '../../source/metrics/store.js';

function clock() {
	let now = 0;
	return {now: () => now, advance(ms: number) {
		now += ms;
	}};
}

describe('metrics store', () => {
	test('tracks each client\'s state and the state totals', () => {
		const store = new MetricsStore();
		store.addClient(3);
		assert.deepEqual(store.snapshot().states, {idle: 3, connecting: 0, open: 0, reconnecting: 0, closed: 0, failed: 0});
		store.emit({kind: 'connecting', client: 1, attempt: 1});
		store.emit({kind: 'open', client: 1, status: 200, connectMs: 5, url: 'u'});
		store.emit({kind: 'connecting', client: 2, attempt: 1});
		store.emit({kind: 'error', client: 2, error: 'status', message: 'HTTP 500', status: 500});
		store.emit({kind: 'reconnect', client: 2, delayMs: 100, attempt: 2, lastEventId: ''});
		store.emit({kind: 'close', client: 3, reason: '204', final: true});
		const snapshot = store.snapshot();
		assert.deepEqual(snapshot.states, {idle: 0, connecting: 0, open: 1, reconnecting: 1, closed: 1, failed: 0});
		assert.equal(snapshot.totals.connects, 1);
		assert.equal(snapshot.totals.failedAttempts, 1);
		assert.equal(snapshot.totals.clientsConnected, 1);
		assert.deepEqual(snapshot.errorsByKind, {status: 1});
		assert.equal(store.clientRow(2).lastError, 'HTTP 500');
		assert.equal(store.clientRow(2).state, 'reconnecting');
	});

	test('counts messages, heartbeats, bytes and latency per client', () => {
		const time = clock();
		const store = new MetricsStore({now: time.now});
		time.advance(1000);
		store.emit({kind: 'event', client: 1, type: 'message', data: 'x', id: '4', bytes: 1, latencyMs: 12});
		store.emit({kind: 'event', client: 1, type: 'message', data: 'y', id: '5', bytes: 1});
		store.emit({kind: 'comment', client: 1, text: 'heartbeat'});
		store.emit({kind: 'heartbeat', client: 2, source: 'cable-ping'});
		store.bytes(1, 100);
		const row = store.clientRow(1);
		assert.equal(row.messages, 2);
		assert.equal(row.heartbeats, 1);
		assert.equal(row.lastEventId, '5');
		assert.equal(row.lastMessageAt, 1000);
		assert.equal(row.bytes, 100);
		assert.equal(row.latencyMs, 12);
		assert.equal(store.clientRow(2).lastMessageAt, -1);
		const snapshot = store.snapshot();
		assert.equal(snapshot.totals.messages, 2);
		assert.equal(snapshot.totals.heartbeats, 2);
		assert.equal(snapshot.latencyMs?.count, 1);
		assert.equal(snapshot.latencyMs?.p50, 12);
	});

	test('grows past its first capacity without losing counts', () => {
		const store = new MetricsStore();
		for (let id = 1; id <= 5000; id++) {
			store.emit({kind: 'event', client: id, type: 'message', data: '', id: '', bytes: 0});
		}

		store.emit({kind: 'event', client: 1, type: 'message', data: '', id: '', bytes: 0});
		assert.equal(store.clientRow(1).messages, 2);
		assert.equal(store.clientRow(5000).messages, 1);
		assert.equal(store.snapshot().clients, 5000);
		assert.equal(store.snapshot().states.idle, 5000);
	});

	test('samples rates once a second and keeps a minute of history', () => {
		const time = clock();
		const store = new MetricsStore({now: time.now});
		for (let second = 0; second < 70; second++) {
			for (let index = 0; index < second; index++) {
				store.emit({kind: 'event', client: 1, type: 'message', data: '', id: '', bytes: 0});
			}

			time.advance(1000);
			store.sample();
		}

		const snapshot = store.snapshot();
		assert.equal(snapshot.history.length, 60);
		assert.equal(snapshot.history.at(-1), 69);
		assert.equal(snapshot.rates.messagesPerSec, 69);
	});

	test('clientRows(reuse) refills the same row objects with current values', () => {
		const store = new MetricsStore();
		store.emit({kind: 'event', client: 2, type: 'message', data: '', id: '7', bytes: 0});
		const rows = store.clientRows();
		const [first, second] = rows;
		assert.equal(rows.length, 2);
		assert.equal(second!.messages, 1);
		store.emit({kind: 'event', client: 2, type: 'message', data: '', id: '8', bytes: 0});
		store.emit({kind: 'open', client: 3, status: 200, connectMs: 1, url: 'u'});
		const again = store.clientRows(rows);
		assert.equal(again, rows);
		assert.equal(again[0], first, 'same object');
		assert.equal(again[1], second, 'same object');
		assert.deepEqual({messages: second!.messages, lastEventId: second!.lastEventId}, {messages: 2, lastEventId: '8'});
		assert.equal(again.length, 3);
		assert.deepEqual(again[2], store.clientRow(3));
		assert.deepEqual(store.clientRows(), again.map(row => ({...row})), 'a fresh read agrees');
	});
});

describe('MetricsStore sampling', () => {
	test('the run\'s sampler fills the timeline once a second whatever the presenter; latency per second', async () => {
		const store = new MetricsStore();
		store.addClient(1);
		store.emit({kind: 'open', client: 1, status: 200, connectMs: 1, url: ''});
		store.emit({kind: 'event', client: 1, type: 'message', data: '{"seq":1}', id: '', bytes: 9, latencyMs: 4});
		store.sample();
		store.emit({kind: 'event', client: 1, type: 'message', data: '{"seq":2}', id: '', bytes: 9, latencyMs: 40});
		store.sample();
		const {timeline, latencyMs} = store.snapshot();
		assert.equal(timeline.length, 2);
		assert.equal(timeline[0]!.open, 1);
		assert.equal(timeline[0]!.latencyP50, 4);
		assert.equal(timeline[1]!.latencyP50, 40, 'the second second has only its own latency');
		assert.equal(latencyMs?.count, 2);
		assert.equal(store.getSnapshot().timeline.length, 0, 'the tick snapshot leaves the timeline out');
	});
});

describe('MetricsStore delivery columns', () => {
	test('each client\'s row shows its gaps and duplicates, across the store growing', () => {
		const store = new MetricsStore();
		const event = (client: number, seq: number) => store.emit({kind: 'event', client, type: 'message', data: `{"seq":${seq}}`, id: '', bytes: 9});
		event(1, 1);
		event(1, 4);
		event(1, 4);
		// Client 500 makes the store grow its columns: client 1's counts must survive it.
		event(500, 1);
		event(500, 3);
		assert.equal(store.clientRow(1).gaps, 2);
		assert.equal(store.clientRow(1).duplicates, 1);
		assert.equal(store.clientRow(500).gaps, 1);
		assert.equal(store.snapshot().delivery.gaps, 3);
	});
});
