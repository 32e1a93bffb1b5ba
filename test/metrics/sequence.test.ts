import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {createSequenceReader, integerId, seqField, SequenceSource, streamId} from '../../source/metrics/sequence.js';

describe('seqField', () => {
	const cases: Array<[string, string, number]> = [
		['reads a top-level seq', '{"type":"test_update","seq":42,"sent_at":1}', 42],
		['allows a space after the colon', '{"seq": 7}', 7],
		['is the last key', '{"a":1,"seq":9}', 9],
		['skips keys that only end like it', '{"subseq":3,"seq":4}', 4],
		['is -1 without the key', '{"sequence":3}', -1],
		['is -1 for a string value', '{"seq":"3"}', -1],
		['is -1 for a fraction', '{"seq":3.5}', -1],
		['is -1 for a negative number', '{"seq":-3}', -1],
		['is -1 for plain text', 'hello seq 3', -1],
	];
	for (const [name, data, expected] of cases) {
		test(name, () => {
			assert.equal(seqField(data), expected);
		});
	}
});

describe('event ids', () => {
	test('integer ids', () => {
		assert.equal(integerId('17'), 17);
		assert.equal(integerId('0'), 0);
		assert.equal(integerId(''), -1);
		assert.equal(integerId('17a'), -1);
		assert.equal(integerId('-1'), -1);
	});

	test('<ms>-<n> stream ids keep their order', () => {
		const ids = ['1700000000000-0', '1700000000000-1', '1700000000000-4095', '1700000000001-0'];
		const values = ids.map(streamId);
		assert.ok(values.every(value => value > 0));
		assert.deepEqual([...values].sort((a, b) => a - b), values);
		assert.equal(streamId('12-'), -1);
		assert.equal(streamId('abc-1'), -1);
		assert.equal(streamId('1-2-3'), -1);
	});
});

describe('createSequenceReader', () => {
	test('seq in the payload wins over the event id', () => {
		const reader = createSequenceReader(undefined);
		assert.equal(reader.read('{"seq":5}', '99', SequenceSource.none), 5);
		assert.equal(reader.source, SequenceSource.seq);
		assert.equal(reader.read('{"x":1}', '99', SequenceSource.none), 99);
		assert.equal(reader.source, SequenceSource.id);
		assert.ok(reader.read('{"x":1}', '1700000000000-3', SequenceSource.none) > 0);
		assert.equal(reader.source, SequenceSource.streamId);
		assert.equal(reader.read('{"x":1}', '', SequenceSource.none), -1);
		assert.equal(reader.source, SequenceSource.none);
	});

	test('a client locked to its first source reads only that one: two numberings never mix', () => {
		const reader = createSequenceReader(undefined);
		assert.equal(reader.read('{"seq":5}', '99', SequenceSource.id), 99, 'locked to ids: the payload seq is not read');
		assert.equal(reader.read('{"x":1}', '99', SequenceSource.seq), -1, 'locked to seq: the id is not read');
		assert.equal(reader.source, SequenceSource.none);
		assert.equal(reader.read('{"seq":6}', '99', SequenceSource.seq), 6);
		assert.equal(reader.source, SequenceSource.seq);
	});

	test('--seq-field reads only that path, numbers or digit strings', () => {
		const reader = createSequenceReader('meta.n');
		assert.equal(reader.read('{"meta":{"n":12},"seq":1}', '3', SequenceSource.none), 12);
		assert.equal(reader.source, SequenceSource.field);
		assert.equal(reader.read('{"meta":{"n":"13"}}', '', SequenceSource.none), 13);
		assert.equal(reader.read('{"seq":1}', '3', SequenceSource.none), -1, 'no fallback to seq or the id');
		assert.equal(reader.read('not json', '3', SequenceSource.none), -1);
	});
});
