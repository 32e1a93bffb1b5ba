import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {broadcastMessage, isRunId, testUpdate} from '../source/payloads.js';

describe('payload shapes', () => {
	test('a test update ends with sent_at, after its pad and its run tag', () => {
		const now = new Date(1_700_000_000_000);
		assert.deepEqual(Object.keys(testUpdate(1, 0, now)).slice(-1), ['sent_at']);
		assert.deepEqual(Object.keys(testUpdate(1, 8, now)).slice(-2), ['pad', 'sent_at']);
		const tagged = testUpdate(7, 4, now, 'here', {seq: 3, run: 'r-1'});
		assert.deepEqual(Object.keys(tagged).slice(-4), ['pad', 'seq', 'run', 'sent_at']);
		assert.equal(tagged['seq'], 3);
		assert.equal(tagged['message'], 'Test update #7 from here');
		assert.equal(tagged['sent_at'], 1_700_000_000_000);
		assert.deepEqual(Object.keys(testUpdate(7, 0, now, 'here', {seq: 3})).slice(-2), ['seq', 'sent_at']);
	});

	test('broadcastMessage is the JSON of test update seq of a run, sent_at last and read now', () => {
		const before = Date.now();
		const text = broadcastMessage(42, 'load_7', 16);
		const after = Date.now();
		assert.match(text, /"seq":42,"run":"load_7","sent_at":\d+\}$/);
		const update = JSON.parse(text) as Record<string, unknown>;
		assert.equal(update['type'], 'test_update');
		assert.equal(update['message'], 'Test update #42 from sse-tui publish');
		assert.equal(update['pad'], 'x'.repeat(16));
		assert.ok((update['sent_at'] as number) >= before && (update['sent_at'] as number) <= after);
		assert.match(broadcastMessage(1, undefined), /"seq":1,"sent_at":\d+\}$/);
		assert.ok(!('pad' in (JSON.parse(broadcastMessage(1, undefined)) as object)));
	});

	test('run ids are 1-64 characters of A-Z, a-z, 0-9, _ and -', () => {
		for (const good of ['a', 'load-42', 'A_b-9', 'x'.repeat(64)]) {
			assert.ok(isRunId(good), good);
		}

		for (const bad of ['', 'x'.repeat(65), 'has space', 'semi;colon', 'é', 'a/b', 'line\n']) {
			assert.ok(!isRunId(bad), JSON.stringify(bad));
		}
	});
});
