import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {extractLatency, latencyOf} from '../../source/engine/latency.js';

describe('extractLatency', () => {
	const cases: Array<[string, string, number | undefined]> = [
		['reads sent_at from a JSON payload', '{"a":1,"sent_at":1000}', 500],
		['allows a space after the colon', '{"sent_at": 1200.5,"x":2}', 299.5],
		['skips other *_at fields before it', '{"created_at":"x","updated_at":1,"sent_at":900}', 600],
		['ignores fields that only end like it', '{"resent_at":100}', undefined],
		['is undefined without the field', '{"timestamp":"15:04:05"}', undefined],
		['is undefined when the value is not a number', '{"sent_at":"soon"}', undefined],
		['reads an ISO 8601 string', '{"sent_at":"1970-01-01T00:00:01.000Z"}', 500],
		['is undefined for a bare clock time', '{"sent_at":"15:04:05"}', undefined],
	];
	for (const [name, data, expected] of cases) {
		test(name, () => {
			assert.equal(extractLatency(data, 1500), expected);
		});
	}

	test('reads epoch seconds, fractional', () => {
		assert.equal(extractLatency('{"sent_at":1700000000.25}', 1_700_000_001_000), 750);
	});

	test('uses the wall clock when no time is given', () => {
		const latency = extractLatency(`{"sent_at":${Date.now() - 40}}`)!;
		assert.ok(latency >= 40 && latency < 1000, String(latency));
	});
});

describe('latencyOf (--latency-field values)', () => {
	test('takes epoch ms, epoch seconds and ISO strings, and nothing else', () => {
		const now = 1_700_000_001_000;
		assert.equal(latencyOf(1_700_000_000_500, now), 500);
		assert.equal(latencyOf(1_700_000_000.25, now), 750);
		assert.equal(latencyOf('2023-11-14T22:13:20.000Z', now), 1000);
		assert.equal(latencyOf('later', now), undefined);
		assert.equal(latencyOf(null, now), undefined);
		assert.equal(latencyOf(true, now), undefined);
	});
});
