import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {Arrival, DeliveryTracker, windowSize} from '../../source/metrics/delivery.js';
import {SequenceSource} from '../../source/metrics/sequence.js';

function tracker() {
	const findings: string[] = [];
	const delivery = new DeliveryTracker({
		gap(client, from, to) {
			findings.push(`gap ${client} ${from}-${to}`);
		},
		reset(client, from, to) {
			findings.push(`reset ${client} ${from}->${to}`);
		},
	});
	delivery.grow(4);
	const feed = (client: number, ...seqs: number[]) => seqs.map(seq => delivery.record(client, seq, SequenceSource.seq));
	return {delivery, findings, feed};
}

describe('DeliveryTracker', () => {
	test('an unbroken sequence: every message received, nothing else', () => {
		const {delivery, feed} = tracker();
		feed(1, 1, 2, 3, 4, 5);
		const summary = delivery.summary(1);
		assert.equal(summary.received, 5);
		assert.equal(summary.expected, 5);
		assert.equal(summary.ratio, 1);
		assert.equal(summary.gaps + summary.duplicates + summary.outOfOrder + summary.resets, 0);
		assert.deepEqual(summary.sources, {seq: 1, field: 0, id: 0, streamId: 0});
	});

	test('a skipped range is one gap finding counting each message', () => {
		const {delivery, findings, feed} = tracker();
		feed(1, 1, 2, 6, 7);
		assert.deepEqual(findings, ['gap 1 3-5']);
		const summary = delivery.summary(1);
		assert.equal(summary.gaps, 3);
		assert.equal(summary.expected, 7);
		assert.equal(summary.ratio, 4 / 7);
		assert.equal(delivery.gaps[1], 3);
	});

	test('a late arrival fills its gap and counts out of order; a repeat is a duplicate', () => {
		const {delivery, feed} = tracker();
		assert.deepEqual(feed(1, 1, 3, 2, 2, 3), [Arrival.fresh, Arrival.fresh, Arrival.late, Arrival.duplicate, Arrival.duplicate]);
		const summary = delivery.summary(1);
		assert.equal(summary.gaps, 0);
		assert.equal(summary.outOfOrder, 1);
		assert.equal(summary.duplicates, 2);
		assert.equal(summary.received, 3);
	});

	test('a sequence that starts over is one reset, not a gap storm', () => {
		const {delivery, findings, feed} = tracker();
		feed(1, ...Array.from({length: 500}, (_, index) => index + 1));
		feed(1, 1, 2, 3);
		assert.deepEqual(findings, ['reset 1 500->1']);
		const summary = delivery.summary(1);
		assert.equal(summary.resets, 1);
		assert.equal(summary.gaps, 0);
		assert.equal(summary.duplicates, 0);
	});

	test('going back past the ring is a reset; within it, a duplicate', () => {
		const {delivery, feed} = tracker();
		feed(1, 1000, 1000 - windowSize + 1);
		assert.equal(delivery.summary(1).duplicates, 0);
		assert.equal(delivery.summary(1).outOfOrder, 1);
		feed(2, 1000, 1000 - windowSize - 5);
		assert.equal(delivery.summary(2).resets, 1);
	});

	test('after a reconnect: followed on with Last-Event-ID is resumed; going back is a reset', () => {
		const {delivery, feed} = tracker();
		feed(1, 1, 2, 3);
		delivery.reconnecting(1, true);
		feed(1, 4, 5);
		feed(2, 1, 2, 3);
		delivery.reconnecting(2, true);
		feed(2, 2, 3);
		feed(3, 1, 2, 3);
		delivery.reconnecting(3, false);
		feed(3, 4);
		const summary = delivery.summary(3);
		assert.deepEqual(summary.reconnects, {resumed: 1, notResumed: 2});
		assert.equal(summary.resets, 1, 'client 2 started over');
		assert.equal(summary.gaps, 0);
	});

	test('stream ids are ordered, not contiguous: no gaps, duplicates still seen', () => {
		const delivery = new DeliveryTracker();
		delivery.grow(2);
		for (const seq of [100, 250, 900, 900]) {
			delivery.record(1, seq, SequenceSource.streamId);
		}

		const summary = delivery.summary(1);
		assert.equal(summary.gaps, 0);
		assert.equal(summary.duplicates, 1);
		assert.equal(summary.sources.streamId, 1);
	});

	test('clients whose messages carry no sequence are counted apart, not guessed', () => {
		const {delivery, feed} = tracker();
		feed(1, 1);
		delivery.unsequenced(2);
		delivery.unsequenced(2);
		const summary = delivery.summary(3);
		assert.equal(summary.accountedClients, 1);
		assert.equal(summary.unaccountedClients, 1);
		assert.equal(summary.unsequenced, 2);
	});

	test('no sequence at all: expected and ratio are null', () => {
		const delivery = new DeliveryTracker();
		delivery.grow(2);
		delivery.unsequenced(1);
		const summary = delivery.summary(1);
		assert.equal(summary.expected, null);
		assert.equal(summary.ratio, null);
	});
});
