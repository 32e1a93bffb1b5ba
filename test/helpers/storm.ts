import assert from 'node:assert/strict';
import type {Summary} from '../../source/reporters/summary.js';

/** A --storm-at storm of `clients` against a server asking for 200 ms reconnects: every client dropped once, all back, the marks in order. */
export function assertStormAtRecovered(summary: Summary, clients: number): void {
	assert.equal(summary.stoppedBy, 'finished', 'the run ends once all are back');
	const storm = summary.storm!;
	assert.equal(storm.trigger, 'storm-at');
	assert.equal(storm.dropped, clients);
	assert.equal(storm.back, clients);
	const {p50, p99, p100} = storm.backMs;
	assert.ok(p50 !== null && p99 !== null && p100 !== null, JSON.stringify(storm.backMs));
	assert.ok(p50 <= p99 && p99 <= p100, JSON.stringify(storm.backMs));
	assert.ok(p50 >= 150, `after the 200 ms reconnection time (got ${p50})`);
	assert.equal(storm.recoveryMs?.count, clients);
	assert.equal(summary.reconnectMs?.count, clients, 'every reconnect histogram counted');
	assert.equal(storm.failedAttempts.total, 0);
}
