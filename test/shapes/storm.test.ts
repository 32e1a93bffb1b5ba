import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {StormTracker} from '../../source/shapes/storm.js';

describe('storm tracker', () => {
	test('the 50/99/100 % marks are the k-th earliest times back, whatever order the opens arrive in (worker processes report in batches)', () => {
		let allBack = 0;
		const storm = new StormTracker({stormAtMs: 1000, loss: () => ({gaps: 0, notResumed: 0}), log() {
			// Not asked for.
		}, onAllBack() {
			allBack++;
		}});
		storm.dropAll(1000, [1, 2, 3, 4]);
		// Client 1 came back last but is reported first; client 4 first but reported last.
		for (const [id, at] of [[1, 1400], [2, 1100], [3, 1300], [4, 1200]] as const) {
			storm.opened(id, at);
		}

		const summary = storm.summary();
		assert.deepEqual(summary.backMs, {p50: 200, p99: 400, p100: 400}, 'k = ceil(share x 4): the 2nd, 4th and 4th earliest');
		assert.equal(summary.back, 4);
		assert.equal(allBack, 1);
	});

	test('not all back: no 100 % mark, and 99 % only once that share is back', () => {
		const storm = new StormTracker({stormAtMs: 1000, loss: () => ({gaps: 0, notResumed: 0}), log() {
			// Not asked for.
		}, onAllBack() {
			assert.fail('not all are back');
		}});
		storm.dropAll(0, [1, 2, 3]);
		storm.opened(2, 500);
		storm.opened(1, 300);
		assert.deepEqual(storm.summary().backMs, {p50: 500, p99: null, p100: null});
	});
});
