import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {createPool} from '../../source/engine/pool.js';
import type {Client} from '../../source/engine/types.js';
import {waitFor} from '../helpers/http-server.js';

/** Clients that only record when they were started and stopped: the pool's own logic under test. */
function recorder() {
	const started: Array<{id: number; at: number}> = [];
	const stopped: number[] = [];
	const endings = new Map<number, () => void>();
	const createClient = (id: number): Client => {
		let ended: () => void = () => undefined;
		const done = new Promise<void>(resolve => {
			ended = resolve;
		});
		endings.set(id, ended);
		return {
			id,
			async start() {
				started.push({id, at: performance.now()});
				return done;
			},
			async stop() {
				stopped.push(id);
				ended();
			},
			drop() {
				// Pool tests never drop.
			},
		};
	};

	/** Make client `id` end on its own, as a client that got 204 does. */
	const finish = (id: number) => endings.get(id)!();
	return {started, stopped, createClient, finish};
}

describe('client pool', () => {
	test('spreads starts by the interval', async () => {
		const {started, createClient} = recorder();
		const pool = createPool({createClient, startIntervalMs: 20});
		const t0 = performance.now();
		pool.add(5);
		await waitFor(() => started.length === 5, 3000, 'five starts');
		assert.deepEqual(started.map(start => start.id), [1, 2, 3, 4, 5]);
		assert.ok(started[4]!.at - t0 >= 75, `the fifth start came ${started[4]!.at - t0}ms after the first, expected >= 80ms`);
		await pool.stop();
	});

	test('interval 0 starts everything in bursts without waiting', async () => {
		const {started, createClient} = recorder();
		const pool = createPool({createClient, startIntervalMs: 0});
		pool.add(1000);
		await waitFor(() => started.length === 1000, 3000, 'all starts');
		assert.equal(pool.size, 1000);
		await pool.stop();
	});

	test('remove stops the newest clients; stop cancels pending starts', async () => {
		const {started, stopped, createClient} = recorder();
		const pool = createPool({createClient, startIntervalMs: 0});
		pool.add(10);
		await waitFor(() => started.length === 10, 3000, 'starts');
		await pool.remove(3);
		assert.deepEqual(stopped, [8, 9, 10]);
		assert.equal(pool.size, 7);
		pool.add(2);
		await waitFor(() => started.length === 12, 3000, 'more starts');
		assert.deepEqual(started.slice(10).map(start => start.id), [11, 12], 'ids are never reused');

		const slow = createPool({createClient, startIntervalMs: 1000});
		slow.add(5);
		await slow.stop();
		await new Promise(resolve => setTimeout(resolve, 50));
		assert.equal(started.length, 13, 'only the first of the slow ramp started');
		await pool.stop();
	});

	test('reports when every client has ended on its own, and not when we stopped them', async () => {
		const {started, createClient, finish} = recorder();
		let allFinished = 0;
		const pool = createPool({createClient, startIntervalMs: 0, onAllFinished() {
			allFinished++;
		}});
		pool.add(3);
		await waitFor(() => started.length === 3, 3000, 'starts');
		finish(1);
		finish(2);
		await new Promise(resolve => setTimeout(resolve, 20));
		assert.equal(allFinished, 0);
		assert.equal(pool.size, 1);
		finish(3);
		await waitFor(() => allFinished === 1, 1000, 'all finished');
		assert.equal(pool.size, 0);

		const other = createPool({createClient, startIntervalMs: 0, onAllFinished() {
			allFinished++;
		}});
		other.add(2);
		await waitFor(() => started.length === 5, 3000, 'starts');
		await other.stop();
		await new Promise(resolve => setTimeout(resolve, 20));
		assert.equal(allFinished, 1, 'a stop is not "all finished"');
	});
});
