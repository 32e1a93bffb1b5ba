import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {createRemoteTally, createTallyOfRemotes, nextTallyState, type RemoteTallyState} from '../source/broadcast-remote.js';
import type {BroadcastConfig} from '../source/config-delivery.js';
import type {BroadcastTally} from '../source/metrics/broadcast-tally.js';
import {DurationHistogram} from '../source/metrics/histogram.js';
import type {MetricsStore} from '../source/metrics/store.js';

const count = 5;
const config = {target: {kind: 'redis', channel: 'c', url: 'redis://127.0.0.1:1'}, count, rate: 0, settleMs: 1000, drainMs: 1000, padBytes: 0, runId: 'r'} as unknown as BroadcastConfig;

/** A remote's tally as a worker process has it, with the BroadcastTally under it to feed. */
function remote(clients: number) {
	let tally: BroadcastTally | undefined;
	const store = {trackBroadcast(it: BroadcastTally) {
		tally = it;
	}} as unknown as MetricsStore;
	const remoteTally = createRemoteTally(config, clients, store);
	return {remoteTally, tally: tally!};
}

/**
 * Clients 1..4 (of one process) or split 1-2 / 3-4 (two): all subscribe, 5 broadcasts go out,
 * client 4 misses broadcast 3 and gets broadcast 2 twice; latency and arrival from the client and seq.
 */
function feed(tallies: Array<{tally: BroadcastTally; clients: number[]}>, publish: (seq: number, at: number) => void) {
	for (const {tally, clients} of tallies) {
		for (const [local] of clients.entries()) {
			tally.subscribe(local + 1, 1);
		}
	}

	for (let seq = 1; seq <= count; seq++) {
		publish(seq, 10 * seq);
		for (const {tally, clients} of tallies) {
			for (const [local, client] of clients.entries()) {
				if (client === 4 && seq === 3) {
					continue;
				}

				tally.received(local + 1, seq, 10 * seq + client, client + seq, false);
				if (client === 4 && seq === 2) {
					tally.received(local + 1, seq, 10 * seq + client + 1, client + seq, false);
				}
			}
		}
	}
}

describe('createTallyOfRemotes: an agent\'s worker processes reported as one tally', () => {
	test('adds its remotes\' tallies up into what one process holding every client would report', () => {
		const one = remote(4);
		feed([{tally: one.tally, clients: [1, 2, 3, 4]}], (seq, at) => {
			one.remoteTally.published(seq, at);
		});

		const workers = [remote(2), remote(2)];
		const states: RemoteTallyState[] = [{subscribed: 0, published: 0, owed: 0}, {subscribed: 0, published: 0, owed: 0}];
		const sent: Array<[number, number]> = [];
		const combined = createTallyOfRemotes(count, {
			live: () => states,
			all: () => states,
			published(seq, at) {
				sent.push([seq, at]);
				for (const worker of workers) {
					worker.remoteTally.published(seq, at);
				}
			},
		});
		feed([{tally: workers[0]!.tally, clients: [1, 2]}, {tally: workers[1]!.tally, clients: [3, 4]}], (seq, at) => {
			combined.published(seq, at);
		});
		assert.deepEqual(sent, [[1, 10], [2, 20], [3, 30], [4, 40], [5, 50]], 'the publish times reach every remote');
		const now = Date.now();
		for (const [index, worker] of workers.entries()) {
			states[index] = nextTallyState(states[index]!, worker.remoteTally.state(true));
		}

		states[0]!.fullAt = now - 700;
		const expected = one.remoteTally.state(true);
		const actual = combined.state(true);
		assert.deepEqual(actual.result, expected.result, 'the same tally as one process');
		assert.deepEqual([actual.subscribed, actual.published, actual.owed], [expected.subscribed, expected.published, expected.owed]);
		assert.deepEqual(actual.result?.missing, {total: 1, seqs: [{seq: 3, clients: 1}]});
		const latency = (state: RemoteTallyState) => {
			const histogram = new DurationHistogram();
			histogram.addEncoded(state.latency!.hdr, state.latency!.minMs, state.latency!.maxMs);
			return histogram.summary();
		};

		assert.deepEqual(latency(actual), latency(expected), 'the latency histograms added');
		assert.ok(actual.ageMs! >= 700 && actual.ageMs! < 5000, `as old as its oldest part (${actual.ageMs} ms)`);
		assert.deepEqual(combined.state(false), {subscribed: 4, published: 5, owed: 1}, 'progress without the full part');
	});

	test('a full state is stamped with when it was taken: its age is taken off the arrival time', () => {
		const before = Date.now();
		const state = nextTallyState({subscribed: 0, published: 0, owed: 0}, {subscribed: 1, published: 1, owed: 0, result: {} as RemoteTallyState['result'], ageMs: 900});
		assert.ok(state.fullAt! <= Date.now() - 900 && state.fullAt! >= before - 900);
		assert.equal(nextTallyState(state, {subscribed: 2, published: 2, owed: 0}).fullAt, state.fullAt, 'progress keeps the last full stamp');
	});
});
