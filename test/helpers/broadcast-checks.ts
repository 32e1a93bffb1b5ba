import assert from 'node:assert/strict';
import type {Summary} from '../../source/reporters/summary.js';

/** A broadcast run where every client got every broadcast once: the broadcast block and the delivery block agree. `what` names the run in messages. */
export function assertEveryBroadcastArrived(summary: Summary, clients: number, count: number, what: string): void {
	const b = summary.broadcast!;
	assert.equal(b.published, count);
	assert.equal(b.openAtStart, clients);
	assert.equal(b.expected, clients * count, `${what}: expected = clients x broadcasts`);
	assert.equal(b.received, clients * count);
	assert.equal(b.ratio, 1);
	assert.equal(b.missing.total, 0);
	assert.equal(b.duplicates.total, 0);
	assert.equal(b.clientsComplete, clients);
	assert.equal(b.clientsIncomplete, 0);
	assert.equal(b.minClientRatio, 1);
	assert.equal(b.latencyMs?.count, clients * count);
	assert.equal(b.fanoutMs?.count, count);
	assert.deepEqual(b.broadcasts.map(item => [item.seq, item.expected, item.received]), Array.from({length: count}, (_, index) => [index + 1, clients, clients]));
	assert.ok(b.broadcasts.every(item => item.fanoutMs !== null && item.at > 0));
	assert.equal(summary.delivery.received, clients * count);
	assert.equal(summary.delivery.ratio, 1);
	assert.equal(summary.delivery.gaps, 0);
}
