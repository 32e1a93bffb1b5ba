import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {exitCodeFor, verdictLine} from '../../source/verdict/exit-code.js';
import {createSummary} from './factories.js';

const clients = (connected: number) => ({requested: 2, connected, notStarted: 0, final: createSummary().clients.final});
const pass = {expr: 'errors==0', metric: 'errors', value: 0, passed: true};
const fail = {expr: 'p99<250ms', metric: 'latency.p99', value: 312, passed: false};

describe('exitCodeFor', () => {
	test('0: a client connected and no threshold was set', () => {
		assert.equal(exitCodeFor(createSummary()), 0);
		assert.equal(verdictLine(createSummary()), undefined);
	});

	test('0: every threshold passed', () => {
		assert.equal(exitCodeFor(createSummary({thresholds: [pass]})), 0);
	});

	test('1: a threshold failed, and the line names it', () => {
		const summary = createSummary({thresholds: [pass, fail]});
		assert.equal(exitCodeFor(summary), 1);
		assert.equal(verdictLine(summary), '1 of 2 thresholds failed (p99<250ms); exit 1');
	});

	test('1: no client ever opened, even with no threshold; the line says what was seen instead', () => {
		const summary = createSummary({clients: clients(0), errors: {total: 7, byKind: {connect: 7}}});
		assert.equal(exitCodeFor(summary), 1);
		assert.equal(verdictLine(summary), 'no client ever connected to http://localhost:3000/dashboard/stream (errors: connect 7); exit 1');
	});

	test('1: no client opened and the thresholds passed: the missing clients are the reason given', () => {
		const summary = createSummary({clients: clients(0), thresholds: [pass]});
		assert.equal(exitCodeFor(summary), 1);
		assert.match(verdictLine(summary)!, /^no client ever connected to .* \(no answer before the run stopped \(duration\)\); exit 1$/);
	});

	test('no client opened and no error: the server ended them (204)', () => {
		assert.match(verdictLine(createSummary({clients: clients(0), stoppedBy: 'finished'}))!, /the server ended every client before it opened, e\.g\. with 204 No Content/);
	});
});
