import assert from 'node:assert/strict';
import {after, before, describe, test} from 'node:test';
import WebSocket from 'ws';
import {shareOf} from '../../server/cluster-protocol.js';
import {RingReplayStore} from '../../server/replay.js';
import {sumStats, type ServerStats} from '../../server/stats.js';
import {serverBinPath, startCommand, type Running} from '../helpers/cli.js';
import {startTestRedis, type TestRedis} from '../helpers/redis-server.js';
import {openRawSse, startTestServer, waitFor, type RawSse} from '../helpers/server-start.js';

type Cluster = {child: Running; url: string; stop(): Promise<number | null>};

/** `sse-tui serve --workers N` as a real process on a free port; the URL read from its banner. */
async function startCluster(args: string[]): Promise<Cluster> {
	const defaults = ['--port', '0', '--interval', '0', '--heartbeat', '0', '--cable-ping', '0', '--log-level', 'warn'];
	for (let index = 0; index < defaults.length; index += 2) {
		if (!args.includes(defaults[index]!)) {
			args = [...args, defaults[index]!, defaults[index + 1]!];
		}
	}

	const child = startCommand(serverBinPath, args, {
		env: {SSE_PORT: '', PORT: '', LOG_LEVEL: '', REDIS_URL: ''},
		timeoutMs: 60_000,
	});
	await waitFor(() => /Press Ctrl-C/.test(child.stdout()) || child.child.exitCode !== null, 'the banner', 15_000);
	const url = /listening on (http:\S+)/.exec(child.stdout())?.[1];
	assert.ok(url, `no banner: ${child.stderr()}`);
	return {
		child,
		url,
		async stop() {
			child.kill('SIGTERM');
			return child.code;
		},
	};
}

async function stats(url: string): Promise<Record<string, any>> {
	return (await (await fetch(`${url}/dashboard/stats`)).json()) as Record<string, any>;
}

async function trigger(url: string, count: number): Promise<Record<string, any>> {
	return (await (await fetch(`${url}/dashboard/trigger-test?count=${count}`, {method: 'POST'})).json()) as Record<string, any>;
}

const workerOf = (sse: RawSse): number => Number(/x-sse-tui-worker: (\d+)/i.exec(sse.head())?.[1]);

async function openSse(url: string, headers: Record<string, string> = {}): Promise<RawSse> {
	const sse = await openRawSse(url, '/dashboard/stream', headers);
	await waitFor(() => sse.head() !== '', 'the response headers');
	return sse;
}

/** Opens streams until one lands on `worker` (round-robin: at most a few tries). */
async function openOn(url: string, worker: number, headers: Record<string, string> = {}): Promise<RawSse> {
	for (let attempt = 0; attempt < 10; attempt++) {
		const sse = await openSse(url, headers);
		if (workerOf(sse) === worker) {
			return sse;
		}

		sse.close();
	}

	throw new Error(`no stream landed on worker ${worker}`);
}

const numericIds = (sse: RawSse): number[] => sse.events().map(event => Number(event.id));

function assertIncreasingByOne(ids: number[], what: string): void {
	for (let index = 1; index < ids.length; index++) {
		assert.equal(ids[index], ids[index - 1]! + 1, `${what}: ids ${ids.join(',')}`);
	}
}

describe('serve --workers 2 (a real process)', () => {
	test('every client of both workers gets every interval and trigger broadcast exactly once, ids one increasing sequence', async () => {
		const cluster = await startCluster(['--workers', '2', '--interval', '200ms']);
		const streams: RawSse[] = [];
		try {
			for (let index = 0; index < 6; index++) {
				streams.push(await openSse(cluster.url));
			}

			const byWorker = new Set(streams.map(workerOf));
			assert.deepEqual([...byWorker].sort(), [1, 2], 'the streams spread over both workers');
			const spread = await stats(cluster.url);
			assert.deepEqual(spread['workers'].map((worker: {connections: number}) => worker.connections), [3, 3]);

			// Two interval updates everywhere, then a burst of triggers, then two more updates.
			await waitFor(() => streams.every(sse => sse.events().length >= 2), 'two interval updates on every stream');
			const triggered = await trigger(cluster.url, 50);
			assert.equal(triggered['deliveries'], 6 * 50, 'each worker reports what it queued');
			const last = Number(triggered['last_id']);
			await waitFor(() => streams.every(sse => sse.events().some(event => Number(event.id) >= last + 2)), 'two updates after the trigger');
			for (const sse of streams) {
				sse.close();
			}

			const first = Math.max(...streams.map(sse => numericIds(sse)[0]!));
			const until = Math.min(...streams.map(sse => numericIds(sse).at(-1)!));
			const reference = streams[0]!.events().filter(event => Number(event.id) >= first && Number(event.id) <= until);
			for (const sse of streams) {
				const ids = numericIds(sse);
				assertIncreasingByOne(ids, `worker ${workerOf(sse)}`);
				const types = sse.events().map(event => (JSON.parse(event.data) as {type?: string}).type ?? 'dashboard');
				assert.equal(types.filter(type => type === 'test_update').length, 50, 'each trigger update once');
				// The same id carries the same message on every worker.
				assert.deepEqual(
					sse.events().filter(event => Number(event.id) >= first && Number(event.id) <= until),
					reference,
				);
			}
		} finally {
			assert.equal(await cluster.stop(), 0);
		}
	});

	test('a client resuming on the other worker gets exactly what it missed', async () => {
		const cluster = await startCluster(['--workers', '2']);
		try {
			const before = await openSse(cluster.url);
			await trigger(cluster.url, 3);
			await waitFor(() => before.events().length === 3, 'three updates');
			before.close();
			const seen = before.events().at(-1)!.id!;
			const missed = await trigger(cluster.url, 4);
			const other = workerOf(before) === 1 ? 2 : 1;
			const resumed = await openOn(cluster.url, other, {'Last-Event-ID': seen});
			await waitFor(() => resumed.events().length >= 4, 'the missed updates');
			await trigger(cluster.url, 1);
			await waitFor(() => resumed.events().length >= 5, 'the next live update');
			assert.deepEqual(
				resumed.events().map(event => event.id),
				[...Array.from({length: 4}, (_, index) => String(Number(seen) + 1 + index)), String(Number(missed['last_id']) + 1)],
			);
			assert.equal(resumed.events()[0]!.id, missed['first_id']);
			assert.doesNotMatch(resumed.body(), /replay gap/);
			resumed.close();
			const summed = await stats(cluster.url);
			assert.equal(summed['replay'].resumes, 1);
			assert.equal(summed['replay'].gaps, 0);
		} finally {
			await cluster.stop();
		}
	});

	test('/dashboard/stats sums the workers; --max-connections holds for the whole server', async () => {
		// Shares of 2 and 2; connections alternate between the workers, so the fifth is refused.
		const cluster = await startCluster(['--workers', '2', '--max-connections', '4']);
		const streams: RawSse[] = [];
		try {
			const ws = new WebSocket(`${cluster.url.replace('http', 'ws')}/ws`);
			await new Promise((resolve, reject) => {
				ws.once('open', resolve);
				ws.once('error', reject);
			});
			for (let index = 0; index < 3; index++) {
				streams.push(await openSse(cluster.url));
			}

			assert.ok(streams.every(sse => sse.head().startsWith('HTTP/1.1 200')));
			const refused = await openSse(cluster.url);
			assert.match(refused.head(), /^HTTP\/1.1 503/);
			refused.close();
			await trigger(cluster.url, 2);
			await waitFor(() => streams.every(sse => sse.events().length === 2), 'two updates');
			const summed = await stats(cluster.url);
			assert.equal(summed['connections'].sse.current, 3);
			assert.equal(summed['connections'].ws.current, 1);
			assert.equal(summed['connections'].sse.messages, 6);
			assert.equal(summed['connections'].ws.messages, 2);
			assert.equal(summed['connections'].max, 4);
			assert.equal(summed['rejected'].capacity, 1);
			assert.equal(summed['broadcasts'], 2, 'produced once, not once per worker');
			assert.deepEqual(summed['workers'].map((worker: {connections: number}) => worker.connections), [2, 2]);
			assert.equal(summed['workers_missing'], 0);
			ws.terminate();
		} finally {
			for (const sse of streams) {
				sse.close();
			}

			await cluster.stop();
		}
	});

	test('a killed worker is logged and restarted; the server goes on, and a reconnect resumes', async () => {
		// A replay smaller than what was sent: the restarted worker is seeded with ids 2..4, not 1..
		const cluster = await startCluster(['--workers', '2', '--replay', '3']);
		try {
			const streams = [await openSse(cluster.url), await openSse(cluster.url)];
			const {workers} = await stats(cluster.url);
			const victim = workers[0] as {worker: number; pid: number};
			await trigger(cluster.url, 4);
			await waitFor(() => streams.every(sse => sse.events().length === 4), 'four updates');
			process.kill(victim.pid, 'SIGKILL');
			const lost = streams.find(sse => workerOf(sse) === victim.worker)!;
			await waitFor(() => lost.closed(), 'the killed worker\'s stream to close');
			await waitFor(() => /worker died; restarting it/.test(cluster.child.stderr()), 'the log line');
			await trigger(cluster.url, 2); // Produced while the worker restarts: the new one is seeded.
			let restarted: Array<{worker: number; pid: number}> = [];
			const deadline = Date.now() + 10_000;
			while (Date.now() < deadline) {
				restarted = (await stats(cluster.url))['workers'] as typeof restarted;
				if (restarted.length === 2 && restarted.every(worker => worker.pid !== victim.pid)) {
					break;
				}

				await new Promise(resolve => {
					setTimeout(resolve, 50);
				});
			}

			assert.equal(restarted.length, 2, 'both workers again');
			assert.ok(!restarted.some(worker => worker.pid === victim.pid), 'a new process');
			// The lost client comes back on the restarted worker with its last id.
			const back = await openOn(cluster.url, victim.worker, {'Last-Event-ID': lost.events().at(-1)!.id!});
			await waitFor(() => back.events().length >= 2, 'the two it missed');
			assert.deepEqual(
				back.events().map(event => event.id),
				['5', '6'],
			);
			const survivor = streams.find(sse => sse !== lost)!;
			await waitFor(() => survivor.events().length === 6, 'the survivor got all six');
			assert.deepEqual(back.events(), survivor.events().slice(4), 'the same ids and messages on both workers');
			back.close();
			survivor.close();
		} finally {
			assert.equal(await cluster.stop(), 0);
		}
	});

	test('SIGTERM on the primary stops every worker gracefully and prints the summed final stats', async () => {
		const cluster = await startCluster(['--workers', '2']);
		const streams = [await openSse(cluster.url), await openSse(cluster.url)];
		await trigger(cluster.url, 1);
		await waitFor(() => streams.every(sse => sse.events().length === 1), 'an update');
		const {workers} = await stats(cluster.url);
		assert.equal(await cluster.stop(), 0);
		await waitFor(() => streams.every(sse => sse.closed()), 'both streams ended');
		assert.match(cluster.child.stdout(), /Stopped after .*: 1 broadcasts\n\s+SSE +2 connections, 2 messages/);
		for (const {pid} of workers as Array<{pid: number}>) {
			assert.throws(() => process.kill(pid, 0), 'the worker is gone');
		}
	});
});

test('serve --workers 2 on a port in use exits 1 naming the fix', async () => {
	const blocker = await startTestServer();
	try {
		const child = startCommand(serverBinPath, ['--workers', '2', '--port', String(blocker.port)], {env: {SSE_PORT: '', PORT: '', LOG_LEVEL: '', REDIS_URL: ''}, timeoutMs: 15_000});
		assert.equal(await child.code, 1);
		assert.match(child.stderr(), /already in use; pick another with --port/);
	} finally {
		await blocker.close();
	}
});

describe('serve --workers 2 --redis: two clustered instances', () => {
	let redis: TestRedis;
	before(async () => {
		redis = await startTestRedis();
	});
	after(async () => {
		await redis.stop();
	});

	test('every client of every worker of both instances gets each message exactly once, with the same ids', async () => {
		const instances = [await startCluster(['--workers', '2', '--redis', redis.url]), await startCluster(['--workers', '2', '--redis', redis.url])];
		const streams: RawSse[] = [];
		try {
			for (const instance of instances) {
				for (let index = 0; index < 4; index++) {
					streams.push(await openSse(instance.url));
				}
			}

			for (const instance of instances) {
				const {redis: state} = await stats(instance.url);
				assert.equal(state.state, 'connected');
			}

			const publisher = redis.client();
			assert.equal(await publisher.publish('dashboard_updates', JSON.stringify({n: 1})), 2, 'one subscription per instance, not per worker');
			const triggered = await trigger(instances[0]!.url, 3);
			assert.equal(triggered['via'], 'redis');
			assert.deepEqual(triggered['redis'].receivers, {total: 6, min: 2, max: 2});
			await publisher.publish('dashboard_updates', JSON.stringify({n: 2}));
			await waitFor(() => streams.every(sse => sse.events().length >= 5), 'five messages on every stream');
			await new Promise(resolve => {
				setTimeout(resolve, 200); // Room for a duplicate to show up.
			});
			const reference = streams[0]!.events();
			assert.equal(reference.length, 5);
			assert.deepEqual(JSON.parse(reference[0]!.data), {n: 1});
			assert.deepEqual(JSON.parse(reference[4]!.data), {n: 2});
			assert.ok(reference.every(event => /^\d+-\d+$/.test(event.id!)), 'Redis stream ids');
			for (const sse of streams) {
				assert.deepEqual(sse.events(), reference);
			}

			assert.deepEqual(new Set(streams.map(workerOf)), new Set([1, 2]));
		} finally {
			for (const sse of streams) {
				sse.close();
			}

			await Promise.all(instances.map(async instance => instance.stop()));
		}
	});
});

describe('cluster pieces', () => {
	test('shareOf splits a cap so the shares add up to it', () => {
		assert.deepEqual([1, 2].map(worker => shareOf(3, 2, worker)), [2, 1]);
		assert.deepEqual([1, 2, 3].map(worker => shareOf(10_000, 3, worker)), [3334, 3333, 3333]);
		assert.deepEqual([1, 2].map(worker => shareOf(1, 2, worker)), [1, 0]);
	});

	test('a worker\'s ring takes the primary\'s ids, also after a jump', () => {
		const store = new RingReplayStore(5);
		store.append('a', '7');
		store.append('b', '8');
		assert.equal(store.lastId, '8');
		assert.deepEqual((store.since('7') as ReadonlyArray<{id: string}>).map(entry => entry.id), ['8']);
		assert.equal(store.since('5'), 'gone', 'before the jump: not held');
		assert.throws(() => store.append('c', '8'), RangeError);
	});

	test('sumStats adds the workers and takes broadcasts and ids from the primary', () => {
		const part = (sse: number, messages: number): ServerStats => ({
			startedAt: '',
			uptimeMs: 0,
			broadcasts: 99,
			sse: {total: sse, current: sse, messages},
			cable: {total: 0, current: 0, messages: 0},
			ws: {total: 1, current: 1, messages: 2},
			drops: {slowConsumer: 1, stalled: 1, deadPeer: 0},
			rejected: {origin: 0, capacity: 2, auth: 1, triggerRate: 0},
			replay: {size: 0, capacity: 0, lastId: 'x', resumes: 1, gaps: 0},
			cableCommands: {total: 0, invalid: 0, closed: 0},
			clientErrors: 0,
		});
		const sum = sumStats(
			{startedAt: 'then', uptimeMs: 5, broadcasts: 3, replay: {size: 3, capacity: 10, lastId: '3', resumes: 0, gaps: 0}},
			[
				{worker: 2, pid: 20, stats: part(4, 12)},
				{worker: 1, pid: 10, stats: part(2, 6)},
			],
			1,
		);
		assert.equal(sum.broadcasts, 3);
		assert.deepEqual(sum.sse, {total: 6, current: 6, messages: 18});
		assert.deepEqual(sum.ws, {total: 2, current: 2, messages: 4});
		assert.deepEqual(sum.drops, {slowConsumer: 2, stalled: 2, deadPeer: 0});
		assert.equal(sum.rejected.capacity, 4);
		assert.equal(sum.rejected.auth, 2);
		assert.deepEqual(sum.replay, {size: 3, capacity: 10, lastId: '3', resumes: 2, gaps: 0});
		assert.deepEqual(sum.workers, {answered: [{worker: 1, pid: 10, connections: 3}, {worker: 2, pid: 20, connections: 5}], missing: 1});
	});
});
