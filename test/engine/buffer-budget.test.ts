import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {BufferBudget, defaultBufferBudget, formatBytes, type BufferHolder} from '../../source/engine/buffer-budget.js';

const MiB = 1024 * 1024;

function holder(name: string, failed: string[]): BufferHolder & {name: string} {
	return {
		name,
		held: 0,
		overBudget(message) {
			failed.push(`${name}: ${message}`);
		},
	};
}

describe('BufferBudget', () => {
	test('counts what holders hold, keeps the peak, and fails the largest first once the total passes the limit', () => {
		const failed: string[] = [];
		const budget = new BufferBudget(16 * MiB);
		const [a, b, c] = [holder('a', failed), holder('b', failed), holder('c', failed)];
		budget.update(a, 4 * MiB);
		budget.update(b, 6 * MiB);
		budget.update(c, 5 * MiB);
		assert.equal(budget.total, 15 * MiB);
		assert.deepEqual(failed, []);
		budget.update(a, 5 * MiB + 1); // 16 MiB + 1: over
		assert.equal(failed.length, 1, 'the largest (b, 6 MiB) brings it under 15/16 of the limit');
		assert.match(failed[0]!, /^b: the clients' partial events together passed --max-buffered 16 MiB; this client held 6 MiB/);
		assert.equal(budget.peak, 16 * MiB + 1);
		assert.equal(budget.total, 10 * MiB + 1);
		assert.equal(budget.stats().overBudget, 1);
		assert.equal(b.held, 0, 'a failed holder counts as 0');
	});

	test('a holder that lets go is forgotten; a failed holder may report again from zero', () => {
		const failed: string[] = [];
		const budget = new BufferBudget(10);
		const a = holder('a', failed);
		budget.update(a, 8);
		budget.update(a, 0);
		assert.equal(budget.total, 0);
		budget.update(a, 11);
		assert.equal(failed.length, 1);
		assert.equal(budget.total, 0);
		budget.update(a, 3);
		assert.equal(budget.total, 3);
		assert.equal(budget.peak, 11);
	});

	test('a holder failed from inside the shedding reports 0 without shedding again', () => {
		const budget = new BufferBudget(10);
		let reentered = 0;
		const a: BufferHolder = {
			held: 0,
			overBudget() {
				reentered++;
				budget.update(a, 0);
			},
		};
		budget.update(a, 20);
		assert.equal(reentered, 1);
		assert.equal(budget.total, 0);
	});
});

test('the default budget: 256 MiB or 64 KiB per client, at most the caps added up and a quarter of the heap', () => {
	const heap = 4096 * MiB;
	assert.equal(defaultBufferBudget(1, 8 * MiB, heap), 8 * MiB, 'one client: its own cap');
	assert.equal(defaultBufferBudget(10, 8 * MiB, heap), 80 * MiB);
	assert.equal(defaultBufferBudget(100, 8 * MiB, heap), 256 * MiB);
	assert.equal(defaultBufferBudget(10_000, 8 * MiB, heap), 625 * MiB);
	assert.equal(defaultBufferBudget(20_000, 8 * MiB, heap), 1024 * MiB, 'a quarter of the heap limit');
	assert.equal(defaultBufferBudget(100, 64 * MiB, 128 * MiB), 64 * MiB, 'never below one client\'s cap');
});

test('formatBytes', () => {
	assert.equal(formatBytes(512), '512 B');
	assert.equal(formatBytes(1536), '1.5 KiB');
	assert.equal(formatBytes(256 * MiB), '256 MiB');
});
