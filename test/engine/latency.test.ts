import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {extractLatency} from '../../source/engine/latency.js';

describe('extractLatency', () => {
	const cases: Array<[string, string, number | undefined]> = [
		['reads sent_at from a JSON payload', '{"a":1,"sent_at":1000}', 500],
		['allows a space after the colon', '{"sent_at": 1200.5,"x":2}', 299.5],
		['skips other *_at fields before it', '{"created_at":"x","updated_at":1,"sent_at":900}', 600],
		['ignores fields that only end like it', '{"resent_at":100}', undefined],
		['is undefined without the field', '{"timestamp":"15:04:05"}', undefined],
		['is undefined when the value is not a number', '{"sent_at":"soon"}', undefined],
	];
	for (const [name, data, expected] of cases) {
		test(name, () => {
			assert.equal(extractLatency(data, 1500), expected);
		});
	}

	test('uses the wall clock when no time is given', () => {
		const latency = extractLatency(`{"sent_at":${Date.now() - 40}}`)!;
		assert.ok(latency >= 40 && latency < 1000, String(latency));
	});
});
