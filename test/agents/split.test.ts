import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {UsageError} from '../../source/errors.js';
import {capacityOf, inTurn, rebalance, splitClients} from '../../source/agents/split.js';
import {createWorker} from '../helpers/wire-workers.js';

const agent = (name: string, cores: number, fileLimit: number | null) => ({name, cores, fileLimit});

describe('splitting clients over agents', () => {
	test('capacity is one process per core under its open-files limit less the margin', () => {
		assert.equal(capacityOf(agent('a', 2, 20_000)), 38_000);
		assert.equal(capacityOf(agent('a', 1, 1500)), 500);
		assert.equal(capacityOf(agent('a', 4, null)), 76_000);
	});

	test('shares are contiguous, in name order, weighted by capacity, and add up exactly', () => {
		const shares = splitClients(100_000, [agent('b', 4, 20_000), agent('a', 2, 20_000), agent('c', 2, 20_000)]);
		assert.deepEqual(shares, [
			{name: 'a', firstId: 1, count: 25_000},
			{name: 'b', firstId: 25_001, count: 50_000},
			{name: 'c', firstId: 75_001, count: 25_000},
		]);
		const uneven = splitClients(31, [agent('a1', 2, 20_000), agent('a2', 2, 20_000), agent('a3', 2, 20_000)]);
		assert.deepEqual(uneven.map(share => share.count), [11, 10, 10]);
		assert.deepEqual(uneven.map(share => share.firstId), [1, 12, 22]);
		assert.deepEqual(splitClients(1, [agent('a', 1, 20_000), agent('b', 1, 20_000)]).map(share => share.count), [1, 0]);
	});

	test('more clients than the agents hold is refused with the fix', () => {
		assert.throws(() => splitClients(1001, [agent('a', 1, 1500), agent('b', 1, 1500)]), (error: unknown) =>
			error instanceof UsageError && /--clients 1001 is more than the 2 agents can hold \(1000 .*\): start more agents/.test(error.message));
	});
});

describe('a bounded sample of rows per message', () => {
	test('clients added or removed mid-run move each agent toward its capacity\'s part of the new total', () => {
		const sized = (name: string, cores: number, size: number) => ({...agent(name, cores, 1500), size});
		// One at a time (the dashboard's +), equal agents: each in turn.
		let agents = [sized('a', 1, 10), sized('b', 1, 10), sized('c', 1, 10)];
		const added: string[] = [];
		for (let press = 0; press < 3; press++) {
			const [move] = rebalance(1, agents, 'add');
			added.push(move!.name);
			agents = agents.map(each => each.name === move!.name ? {...each, size: each.size + 1} : each);
		}

		assert.deepEqual(added, ['a', 'b', 'c']);
		// A stage line rising by 30 over a 2-core and a 1-core agent: 20 and 10.
		assert.deepEqual(rebalance(30, [sized('x', 2, 0), sized('y', 1, 0)], 'add'), [{name: 'x', count: 20}, {name: 'y', count: 10}]);
		// Falling: the fuller ones give first, never below zero, never more than asked.
		assert.deepEqual(rebalance(9, [sized('x', 1, 12), sized('y', 1, 6)], 'remove'), [{name: 'x', count: 7}, {name: 'y', count: 2}]);
		assert.deepEqual(rebalance(50, [sized('x', 1, 3), sized('y', 1, 2)], 'remove'), [{name: 'x', count: 3}, {name: 'y', count: 2}]);
	});

	test('churn takes the oldest of each agent in turn, skipping empty ones', () => {
		const agents = [{name: 'b', size: 5}, {name: 'a', size: 0}, {name: 'c', size: 5}];
		assert.deepEqual(inTurn(1, agents, 0), [{name: 'b', count: 1}]);
		assert.deepEqual(inTurn(1, agents, 1), [{name: 'b', count: 1}]);
		assert.deepEqual(inTurn(1, agents, 2), [{name: 'c', count: 1}]);
		assert.deepEqual(inTurn(3, agents, 2), [{name: 'b', count: 1}, {name: 'c', count: 2}]);
		assert.deepEqual(inTurn(20, agents, 0), [{name: 'b', count: 5}, {name: 'c', count: 5}]);
	});

	test('at most maxRows rows a message, the next starting where the last stopped; the final one carries the rest', () => {
		const {store, send} = createWorker('a1', 100, 1, 4);
		for (let id = 1; id <= 10; id++) {
			store.emit({kind: 'connecting', client: id, attempt: 1});
		}

		assert.deepEqual(send({active: 10}).rows?.ids, [101, 102, 103, 104]);
		assert.deepEqual(send({active: 10}).rows?.ids, [105, 106, 107, 108]);
		store.emit({kind: 'open', client: 1, status: 200, connectMs: 3, url: 'u'});
		assert.deepEqual(send({active: 10}).rows?.ids, [109, 110, 101]);
		store.emit({kind: 'open', client: 5, status: 200, connectMs: 3, url: 'u'});
		store.emit({kind: 'open', client: 6, status: 200, connectMs: 3, url: 'u'});
		store.emit({kind: 'open', client: 7, status: 200, connectMs: 3, url: 'u'});
		store.emit({kind: 'open', client: 8, status: 200, connectMs: 3, url: 'u'});
		store.emit({kind: 'open', client: 9, status: 200, connectMs: 3, url: 'u'});
		assert.deepEqual(send({active: 10, final: true}).rows?.ids.sort((a, b) => a - b), [105, 106, 107, 108, 109]);
	});
});
