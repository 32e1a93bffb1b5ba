import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {BroadcastTally} from '../../source/metrics/broadcast-tally.js';

describe('BroadcastTally', () => {
	test('every subscribed client gets every broadcast: ratio 1, fan-out from publish to the last receipt', () => {
		const tally = new BroadcastTally('run', 3, 2);
		tally.subscribe(1, 0);
		tally.subscribe(2, 0);
		for (let seq = 1; seq <= 3; seq++) {
			tally.publishing(seq, seq * 100);
			tally.received(1, seq, (seq * 100) + 5, 5, false);
			tally.received(2, seq, (seq * 100) + 20, 20, false);
		}

		assert.ok(tally.complete());
		const result = tally.result();
		assert.equal(result.expected, 6);
		assert.equal(result.received, 6);
		assert.equal(result.ratio, 1);
		assert.equal(result.clientsComplete, 2);
		assert.equal(result.fanoutMs?.max, 20);
		assert.equal(result.latencyMs?.count, 6);
		assert.deepEqual(result.broadcasts[0], {seq: 1, at: 100, expected: 2, received: 2, fanoutMs: 20});
	});

	test('missing and duplicate seqs are listed; a client not subscribed at publish is not expected to have it', () => {
		const tally = new BroadcastTally('run', 3, 3);
		tally.subscribe(1, 0);
		tally.subscribe(2, 0);
		tally.publishing(1, 10);
		tally.received(1, 1, 11, undefined, false);
		tally.received(1, 1, 12, undefined, false);
		tally.subscribe(3, 15);
		tally.publishing(2, 20);
		tally.received(1, 2, 21, undefined, false);
		tally.received(2, 2, 21, undefined, false);
		tally.received(3, 2, 21, undefined, false);
		assert.ok(!tally.complete());
		const result = tally.result();
		assert.equal(result.published, 2);
		assert.deepEqual(result.missing, {total: 1, seqs: [{seq: 1, clients: 1}]});
		assert.deepEqual(result.duplicates, {total: 1, seqs: [{seq: 1, count: 1}]});
		assert.equal(result.expected, 5);
		assert.equal(result.received, 4);
		assert.equal(result.clientsIncomplete, 1);
		assert.equal(result.minClientRatio, 0.5);
	});

	test('a client that got a broadcast published while it was away resumed: expected and received', () => {
		const tally = new BroadcastTally('run', 2, 1);
		tally.subscribe(1, 0);
		tally.publishing(1, 10);
		tally.received(1, 1, 11, undefined, false);
		tally.unsubscribe(1, 15);
		tally.publishing(2, 20);
		tally.subscribe(1, 30);
		tally.received(1, 2, 31, undefined, false);
		const result = tally.result();
		assert.equal(result.expected, 2);
		assert.equal(result.received, 2);
		assert.equal(result.clientsComplete, 1);
	});

	test('a broadcast lost while the client was away and not resumed is missing only if it was subscribed at publish', () => {
		const tally = new BroadcastTally('run', 2, 1);
		tally.subscribe(1, 0);
		tally.publishing(1, 10);
		tally.unsubscribe(1, 12);
		tally.subscribe(1, 30);
		tally.publishing(2, 40);
		tally.received(1, 2, 41, undefined, false);
		const result = tally.result();
		assert.deepEqual(result.missing.seqs, [{seq: 1, clients: 1}]);
		assert.equal(result.expected, 2);
	});

	test('a publish learnt of late counts who was subscribed when it went out: a client back since then is expected it once, as resumed', () => {
		// The flaky cut mid-publish: the trigger built seq 2 at 25 while client 1 was away (20-30);
		// its answer, read at 35, dates it back to 25. Client 1 gets it by replay at 40.
		const tally = new BroadcastTally('run', 2, 2);
		tally.subscribe(1, 0);
		tally.subscribe(2, 0);
		tally.publishing(1, 10);
		tally.received(1, 1, 11, undefined, false);
		tally.received(2, 1, 11, undefined, false);
		tally.unsubscribe(1, 20);
		tally.subscribe(1, 30);
		tally.publishing(2, 25);
		tally.received(2, 2, 36, undefined, false);
		tally.received(1, 2, 40, undefined, false);
		assert.ok(tally.complete());
		const result = tally.result();
		assert.deepEqual(result.missing, {total: 0, seqs: []});
		assert.equal(result.expected, 4);
		assert.equal(result.received, 4);
		assert.deepEqual(result.broadcasts[1], {seq: 2, at: 25, expected: 2, received: 2, fanoutMs: 15});
		assert.equal(result.clientsComplete, 2);
		assert.equal(result.clientsIncomplete, 0);
	});

	test('a publish learnt of late counts who was subscribed when it went out: a client gone since then still owes it', () => {
		const tally = new BroadcastTally('run', 1, 2);
		tally.subscribe(1, 0);
		tally.subscribe(2, 0);
		tally.unsubscribe(1, 30);
		tally.publishing(1, 25);
		tally.received(2, 1, 26, undefined, false);
		assert.ok(!tally.complete(), 'client 1 was subscribed at 25 and never got it');
		const result = tally.result();
		assert.deepEqual(result.missing, {total: 1, seqs: [{seq: 1, clients: 1}]});
		assert.equal(result.clientsIncomplete, 1);
	});

	test('a long run of reconnects (the change log pruned to its last minute) still dates a late publish right', () => {
		const tally = new BroadcastTally('run', 1, 3);
		tally.subscribe(1, 0);
		tally.subscribe(2, 0);
		// Client 3 flaps every ms (140,000 changes, pruned and moved twice); client 1 is away at
		// 100,000.3, which is when the publish reported 40 s late went out.
		for (let index = 0; index < 70_000; index++) {
			tally.subscribe(3, 1 + (2 * index));
			tally.unsubscribe(3, 2 + (2 * index));
			if (index === 50_000) {
				tally.unsubscribe(1, 100_000.2);
				tally.subscribe(1, 100_000.4);
			}
		}

		tally.publishing(1, 100_000.3);
		assert.equal(tally.owed, 1, 'only client 2 was subscribed at 100,000.3');
		tally.received(2, 1, 140_010, undefined, false);
		tally.received(1, 1, 140_020, undefined, false);
		assert.ok(tally.complete());
		assert.equal(tally.result().broadcasts[0]?.expected, 2);
		assert.equal(tally.result().clientsComplete, 2);
	});

	test('complete only when every broadcast has every delivery it expects, not when the totals happen to match', () => {
		const tally = new BroadcastTally('run', 2, 2);
		tally.subscribe(1, 0);
		tally.subscribe(2, 0);
		// Broadcast 1 reaches both before its publish is recorded (a trigger answers after
		// delivering), and client 2 drops before that: both were subscribed when it went out.
		tally.received(1, 1, 5, undefined, false);
		tally.received(2, 1, 5, undefined, false);
		tally.unsubscribe(2, 6);
		tally.publishing(1, 1);
		tally.publishing(2, 10);
		assert.ok(!tally.complete(), 'broadcast 2 is still owed to client 1');
		tally.received(1, 2, 12, undefined, false);
		assert.ok(tally.complete());
	});

	test('seqs outside the run are foreign', () => {
		const tally = new BroadcastTally('run', 2, 1);
		tally.received(1, 7, 1, undefined, false);
		tally.foreign();
		assert.equal(tally.result().foreign, 2);
	});
});
