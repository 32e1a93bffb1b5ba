import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {UsageError} from '../../source/errors.js';
import {planWorkers} from '../../source/workers/plan.js';

const machine = {limit: 20_000, cores: 2};
const config = (clients: number, more: {workers?: number; events?: string; broadcast?: object} = {}) =>
	({clients, workers: more.workers, events: more.events, broadcast: more.broadcast}) as Parameters<typeof planWorkers>[0];

describe('worker plan (the default rule and its limits)', () => {
	test('one process while the clients fit under the open-files limit less the margin', () => {
		assert.equal(planWorkers(config(1), machine).workers, 1);
		assert.equal(planWorkers(config(19_000), machine).workers, 1);
	});

	test('past that, enough worker processes for the clients', () => {
		assert.equal(planWorkers(config(19_001), machine).workers, 2);
		assert.equal(planWorkers(config(38_000), machine).workers, 2);
	});

	test('more processes than cores only when --workers says so', () => {
		assert.throws(() => planWorkers(config(38_001), machine), (error: Error) => error instanceof UsageError && /needs 3 worker processes .* pass --workers 3/.test(error.message));
		assert.equal(planWorkers(config(38_001, {workers: 3}), machine).workers, 3);
	});

	test('clients that cannot fit in the workers given: exit 2 naming --workers', () => {
		assert.throws(() => planWorkers(config(25_000, {workers: 1}), machine), /^UsageError: --clients 25000 does not fit in 1 worker process of at most 19000 clients .*: pass --workers 2, or raise the open-files limit: ulimit -n/);
		assert.equal(planWorkers(config(25_000, {workers: 2}), machine).workers, 2);
	});

	test('a limit below the margin (ulimit -n 256) keeps a quarter of it for the process, not 1,000', () => {
		const low = {limit: 256, cores: 2};
		assert.equal(planWorkers(config(192), low).workers, 1);
		assert.throws(() => planWorkers(config(1000), low), (error: Error) => error instanceof UsageError && /needs 6 worker processes of at most 192 clients \(open-files limit 256 less 64\)/.test(error.message));
	});

	test('an unknown limit: one process unless told', () => {
		assert.equal(planWorkers(config(50_000), {limit: undefined, cores: 2}).workers, 1);
		assert.equal(planWorkers(config(50_000, {workers: 2}), {limit: undefined, cores: 2}).workers, 2);
	});

	test('--events - needs one process; the broadcast scenario spreads over workers like any other (the tallies are added up, on an agent too)', () => {
		assert.throws(() => planWorkers(config(10, {workers: 2, events: '-'}), machine), /--events - writes to standard output from one process/);
		assert.equal(planWorkers(config(10, {workers: 2, events: 'log.ndjson'}), machine).workers, 2, 'a file: every worker appends to it');
		assert.equal(planWorkers(config(10, {workers: 2, broadcast: {}}), machine).workers, 2);
		assert.equal(planWorkers(config(30_000, {broadcast: {}}), machine).workers, 2, 'the default rule, as for any scenario');
		assert.equal(planWorkers(config(10, {workers: 1, events: 'log.ndjson'}), machine).workers, 1);
	});
});
