import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {MetricsStore} from '../../source/metrics/store.js';
import {WireProducer, WireVersionError, type WireMessage} from '../../source/metrics/wire.js';

/** A worker's store and producer holding global ids offset+1.. ; messages cross as JSON, as over any wire. */
function createWorker(source: string, offset: number, rowsEvery = 1) {
	const store = new MetricsStore();
	const producer = new WireProducer(store, {source, globalId: local => offset + local, rowsEvery});
	return {
		store,
		send({active = 0, final = false} = {}): WireMessage {
			return JSON.parse(JSON.stringify(producer.next({active, final}))) as WireMessage;
		},
	};
}

function open(store: MetricsStore, client: number, connectMs: number) {
	store.emit({kind: 'connecting', client, attempt: 1});
	store.emit({kind: 'open', client, status: 200, connectMs, url: 'u'});
}

function message(store: MetricsStore, client: number, seq: number, latencyMs?: number) {
	store.emit({kind: 'event', client, type: 'message', data: JSON.stringify({seq}), id: '', bytes: 10, latencyMs});
}

describe('metrics wire (merge protocol)', () => {
	test('counters add across sources and rows land at their global ids', () => {
		const a = createWorker('w1', 0);
		const b = createWorker('w2', 100);
		open(a.store, 1, 5);
		open(a.store, 2, 6);
		message(a.store, 1, 1);
		message(a.store, 1, 2);
		open(b.store, 1, 7);
		message(b.store, 1, 1);
		b.store.emit({kind: 'error', client: 1, error: 'status', message: 'HTTP 500', status: 500});
		const parent = new MetricsStore();
		parent.merge(a.send());
		parent.merge(b.send());
		const snapshot = parent.snapshot();
		assert.equal(snapshot.totals.messages, 3);
		assert.equal(snapshot.totals.connects, 3);
		assert.equal(snapshot.totals.clientsConnected, 3);
		assert.deepEqual(snapshot.errorsByKind, {status: 1});
		assert.equal(snapshot.states.open, 3);
		assert.equal(snapshot.clients, 101);
		assert.equal(parent.clientRow(1).messages, 2);
		assert.equal(parent.clientRow(2).connectMs, 6);
		assert.equal(parent.clientRow(101).messages, 1);
		assert.equal(parent.clientRow(101).lastError, 'HTTP 500');
		assert.equal(parent.clientRow(101).state, 'open');
		assert.equal(parent.clientRow(50).state, 'idle');
	});

	test('cumulative parts are not counted twice, and a repeated message changes nothing', () => {
		const a = createWorker('w1', 0);
		open(a.store, 1, 5);
		message(a.store, 1, 1, 3);
		const parent = new MetricsStore();
		const first = a.send();
		parent.merge(first);
		message(a.store, 1, 2, 4);
		a.store.emit({kind: 'error', client: 1, error: 'timeout', message: 't'});
		a.store.emit({kind: 'error', client: 1, error: 'timeout', message: 't'});
		const second = a.send();
		parent.merge(second);
		parent.merge(second);
		parent.merge(first);
		const snapshot = parent.snapshot();
		assert.equal(snapshot.totals.messages, 2);
		assert.equal(snapshot.totals.errors, 2);
		assert.deepEqual(snapshot.errorsByKind, {timeout: 2});
		assert.equal(snapshot.latencyMs?.count, 2);
		assert.equal(snapshot.connectMs?.count, 1);
		assert.equal(snapshot.states.open, 1);
		assert.equal(snapshot.delivery.received, 2);
	});

	test('merged histograms equal recording everything into one histogram', () => {
		const a = createWorker('w1', 0);
		const b = createWorker('w2', 10);
		const one = new MetricsStore();
		const values = [0, 0.4, 1, 2.5, 7, 7, 12, 40, 120, 999, 3000];
		for (const [index, ms] of values.entries()) {
			open(index % 2 === 0 ? a.store : b.store, 1 + index, ms);
			open(one, 1 + index, ms);
		}

		const parent = new MetricsStore();
		parent.merge(a.send());
		parent.merge(b.send());
		assert.deepEqual(parent.snapshot().connectMs, one.snapshot().connectMs);
		assert.deepEqual(parent.connectHistogram.buckets(), one.connectHistogram.buckets());
		assert.equal(parent.snapshot().connectMs?.min, 0);
	});

	test('only the rows that changed travel, and rows only every rowsEvery-th message', () => {
		const a = createWorker('w1', 0, 2);
		open(a.store, 1, 5);
		open(a.store, 2, 5);
		assert.deepEqual(a.send().rows?.ids, [1, 2]);
		message(a.store, 2, 1);
		assert.equal(a.send().rows, null);
		assert.deepEqual(a.send().rows?.ids, [2]);
		assert.equal(a.send().rows, null);
		assert.deepEqual(a.send().rows?.ids, []);
		message(a.store, 1, 1);
		a.store.bytes(2, 10); // a change in one numeric column alone
		const final = a.send({final: true}).rows;
		assert.deepEqual(final?.ids, [1, 2]);
		assert.deepEqual(final?.columns.bytes, [0, 10]);
	});

	test('delivery accounting adds across sources: gaps, ratio, sources', () => {
		const a = createWorker('w1', 0);
		const b = createWorker('w2', 5);
		open(a.store, 1, 1);
		message(a.store, 1, 1);
		message(a.store, 1, 2);
		open(b.store, 1, 1);
		message(b.store, 1, 1);
		message(b.store, 1, 3);
		const parent = new MetricsStore();
		parent.merge(a.send());
		parent.merge(b.send());
		const {delivery} = parent.snapshot();
		assert.equal(delivery.accountedClients, 2);
		assert.equal(delivery.sources.seq, 2);
		assert.equal(delivery.received, 4);
		assert.equal(delivery.gaps, 1);
		assert.equal(delivery.expected, 5);
		assert.equal(delivery.ratio, 4 / 5);
		assert.equal(parent.clientRow(6).gaps, 1);
	});

	test('a message of another version is refused', () => {
		const a = createWorker('w1', 0);
		const parent = new MetricsStore();
		assert.throws(() => {
			parent.merge({...a.send(), v: 2});
		}, WireVersionError);
		assert.equal(parent.snapshot().clients, 0);
	});
});

test('the partial-data budgets of the workers add up; a repeated message changes nothing', () => {
	const parent = new MetricsStore();
	assert.equal(parent.mergedBuffered(), null, 'nothing merged: no block');
	const w1 = createWorker('w1', 0);
	const w2 = createWorker('w2', 100);
	parent.merge({...w1.send(), buffered: {peakBytes: 10, budgetBytes: 1000, overBudget: 0}});
	parent.merge({...w2.send(), buffered: {peakBytes: 30, budgetBytes: 1000, overBudget: 2}});
	const later = {...w1.send(), buffered: {peakBytes: 50, budgetBytes: 1000, overBudget: 1}};
	parent.merge(later);
	parent.merge(later);
	assert.deepEqual(parent.mergedBuffered(), {peakBytes: 80, budgetBytes: 2000, overBudget: 3});
});

describe('request streams and the undici transport over the wire', () => {
	/** One clock for every store, so the stream times are the same wherever they are measured. */
	let clock = 0;
	const storeOptions = {now: () => clock, startedAt: 0, streams: {renumbered: true}};

	/** The store reads the clock once per turn of the event loop: move both on. */
	async function advance(ms: number) {
		clock += ms;
		await new Promise(resolve => {
			setImmediate(resolve);
		});
	}

	/** A stream of `events` events 3 ms apart, `outcome` at its end, into each [store, client]. */
	async function stream(stores: Array<[MetricsStore, number]>, events: number, outcome: 'marker' | 'cut') {
		const start = clock;
		for (const [store, client] of stores) {
			store.emit({kind: 'connecting', client, attempt: 1, fresh: true});
		}

		await advance(2);
		for (const [store, client] of stores) {
			store.emit({kind: 'open', client, status: 200, connectMs: 2, url: 'u'});
		}

		for (let seq = 1; seq <= events; seq++) {
			await advance(3);
			for (const [store, client] of stores) {
				store.emit({kind: 'event', client, type: 'message', data: JSON.stringify({seq}), id: '', bytes: 100, latencyMs: undefined});
				store.bytes(client, 100);
			}
		}

		for (const [store, client] of stores) {
			store.emit({kind: 'stream', client, request: 1, outcome, events, ttfeMs: 5, durationMs: clock - start});
		}
	}

	test('stream counts and histograms merged from two workers equal one store that saw every stream; repeats change nothing', async () => {
		clock = 0;
		const one = new MetricsStore(storeOptions);
		const w1 = new MetricsStore(storeOptions);
		const w2 = new MetricsStore(storeOptions);
		const p1 = new WireProducer(w1, {source: 'w1', globalId: local => local, rowsEvery: 1});
		const p2 = new WireProducer(w2, {source: 'w2', globalId: local => 10 + local, rowsEvery: 1});
		const parent = new MetricsStore({streams: {renumbered: true}});
		const send = (producer: WireProducer) => JSON.parse(JSON.stringify(producer.next({active: 1}))) as WireMessage;
		await stream([[one, 1], [w1, 1]], 4, 'marker');
		await stream([[one, 11], [w2, 1]], 7, 'marker');
		const first = send(p1);
		parent.merge(first);
		parent.merge(first);
		parent.merge(send(p2));
		await stream([[one, 1], [w1, 1]], 2, 'cut');
		await stream([[one, 11], [w2, 1]], 9, 'marker');
		// A stream started, not ended: in flight.
		one.emit({kind: 'connecting', client: 2, attempt: 1, fresh: true});
		w1.emit({kind: 'connecting', client: 2, attempt: 1, fresh: true});
		parent.merge(send(p1));
		parent.merge(send(p2));
		const merged = parent.snapshot().streams!;
		assert.deepEqual(merged, one.snapshot().streams);
		assert.equal(merged.requests, 5);
		assert.equal(merged.inFlight, 1);
		assert.deepEqual(merged.outcomes, {marker: 3, clean: 0, cut: 1, error: 0, timeout: 0});
		assert.equal(merged.eventsPerStream!.count, 4);
		assert.equal(merged.gapMs!.count, 3 + 6 + 1 + 8);
		assert.equal(parent.clientRow(11).streams, 2, 'the per-client stream columns travel with the rows');
	});

	test('the transports\' counts add up across sources; a repeated message changes nothing', () => {
		const parent = new MetricsStore();
		const w1 = createWorker('w1', 0);
		const w2 = createWorker('w2', 100);
		parent.merge({...w1.send(), transport: {connections: 1, streams: 4}});
		const later = {...w1.send(), transport: {connections: 2, streams: 9}};
		parent.merge(later);
		parent.merge(later);
		parent.merge({...w2.send(), transport: {connections: 3, streams: 5}});
		assert.deepEqual(parent.mergedTransport(), {connections: 5, streams: 14});
	});

	test('a producer whose store has a transport sends its counts', () => {
		const store = new MetricsStore({transportCounts: () => ({connections: 2, streams: 7})});
		const producer = new WireProducer(store, {source: 'w1', globalId: local => local});
		assert.deepEqual(producer.next({active: 0}).transport, {connections: 2, streams: 7});
		assert.equal(new WireProducer(new MetricsStore(), {source: 'w2', globalId: local => local}).next({active: 0}).transport, undefined, 'no transport: no field');
	});
});
