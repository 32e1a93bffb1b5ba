import {fork, type ChildProcess} from 'node:child_process';
import {nextTallyState, type RemoteBroadcastView, type RemoteTallyState} from '../broadcast-remote.js';
import type {Config} from '../config.js';
import type {Pool} from '../engine/pool.js';
import type {MetricsStore} from '../metrics/store.js';
import {shapeEventOf, type ShapeFeed, type ShapeFeedTarget} from './lifecycle.js';
import {lostMessage} from './lost.js';
import type {FromWorker, ToWorker} from './protocol.js';

export type WorkerGroupOptions = {
	config: Config;
	workers: number;
	store: MetricsStore;
	log(level: 'error' | 'warn' | 'info', text: string): void;
	/** every worker's clients ended on their own (or the worker is gone) */
	onAllFinished(): void;
	/** a worker could not write --events (one line): the run stops, as in one process */
	onEventsFailed?: (reason: string) => void;
	/** the worker module; tests may swap it */
	entry?: URL;
	/** the load shapes' driver, fed every worker's client lives (times in the store's elapsed ms) */
	shapes?: ShapeFeedTarget & {feed: Exclude<ShapeFeed, 'none'>};
};

/** The Pool over worker processes, and what they hold in memory. */
export type WorkerGroup = Pool & {
	/** RSS of this process and every worker (as last reported), in bytes */
	rss(): number;
	/** the same before any client: this process when the group was made, each worker before its first client */
	baselineRss(): number;
	/** the broadcast scenario: each worker's tally, and the publish times sent to them (source/broadcast-remote.ts) */
	broadcast: RemoteBroadcastView;
};

type Worker = {
	name: string;
	child: ChildProcess;
	/** clients started or waiting, as last known */
	size: number;
	commandsSent: number;
	ranges: Array<[first: number, count: number]>;
	finished: boolean;
	/** sent its final message, or was lost */
	done: boolean;
	exited: Promise<void>;
	stderrTail: string;
	rss: number;
	helloRss: number;
	/** the broadcast scenario: the worker's tally as last reported (a lost worker's stays) */
	broadcast: RemoteTallyState;
};

/** a worker closing 19,000 clients while they reconnect took ~10 s: room for that, then it is lost */
const stopTimeoutMs = 60_000;

/**
 * The clients of a run spread over N worker processes (--workers N): a Pool to run.ts, whose
 * add/remove/stop become IPC commands. Each worker sends wire messages that merge into the one
 * store; the parent runs no clients. A worker that exits without its final message is reported
 * in one line and its clients counted as failed; the others go on.
 */
export function createWorkerGroup({config, workers: count, store, log, onAllFinished, onEventsFailed, entry = new URL('worker-main.js', import.meta.url), shapes}: WorkerGroupOptions): WorkerGroup {
	const epochStart = performance.timeOrigin + performance.now() - store.elapsed();
	const parentBaseline = process.memoryUsage().rss;
	// Each worker starts its share at N times the interval: together they keep the run's ramp.
	const startIntervalMs = config.startIntervalMs * count;
	const workers: Worker[] = [];
	let nextId = 1;
	let stopping = false;
	let request = 0;
	const removals = new Map<number, () => void>();
	const notes = new Set<string>();

	function command(worker: Worker, message: ToWorker): void {
		if (!worker.done && worker.child.connected) {
			worker.child.send(message);
		}
	}

	function checkFinished(): void {
		// A worker given no clients (--workers above --clients) has nothing to finish.
		if (!stopping && workers.every(worker => worker.finished || worker.done || worker.ranges.length === 0)) {
			onAllFinished();
		}
	}

	function lost(worker: Worker, why: string): void {
		worker.done = true;
		worker.size = 0;
		const ids = worker.ranges.map(([first, n]) => n === 1 ? String(first) : `${first}-${first + n - 1}`).join(', ');
		const tail = worker.stderrTail.trim().split('\n').at(-1);
		const total = worker.ranges.reduce((sum, [, n]) => sum + n, 0);
		log('error', `worker ${worker.name} (clients ${ids}) ${why}${tail ? ` (${tail})` : ''}: its ${total} clients are counted as failed; the run goes on`);
		store.merge(lostMessage(store, worker.name, worker.ranges));
		for (const [key, resolve] of removals) {
			resolve();
			removals.delete(key);
		}

		checkFinished();
	}

	function spawn(index: number): Worker {
		const child = fork(entry, [], {serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'], execArgv: []});
		const worker: Worker = {name: `w${index + 1}`, child, size: 0, commandsSent: 0, ranges: [], finished: false, done: false, exited: Promise.resolve(), stderrTail: '', rss: 0, helloRss: 0, broadcast: {subscribed: 0, published: 0, owed: 0}};
		child.stderr?.setEncoding('utf8').on('data', (text: string) => {
			worker.stderrTail = (worker.stderrTail + text).slice(-2000);
		});
		worker.exited = new Promise(resolve => {
			child.on('exit', (code, signal) => {
				if (!worker.done) {
					lost(worker, `exited (${signal ?? `code ${code}`}) before its final metrics`);
				}

				resolve();
			});
		});
		child.on('error', () => undefined); // 'exit' follows and reports it
		child.on('message', (message: FromWorker) => {
			switch (message.type) {
				case 'hello': {
					worker.helloRss = message.rss;
					worker.rss ||= message.rss;
					break;
				}

				case 'lifecycle': {
					for (const record of message.records) {
						shapes?.observe(shapeEventOf(record), record[2] - epochStart);
					}

					break;
				}

				case 'heard': {
					shapes?.heard(message.ids, message.heartbeats, message.at - epochStart);
					break;
				}

				case 'metrics': {
					worker.rss = message.rss;
					store.merge(message.wire);
					if (message.broadcast) {
						worker.broadcast = nextTallyState(worker.broadcast, message.broadcast);
					}

					if (message.commands === worker.commandsSent) {
						worker.size = message.wire.active;
					}

					if (message.wire.final) {
						worker.done = true;
					}

					break;
				}

				case 'events-failed': {
					onEventsFailed?.(message.reason);
					break;
				}

				case 'note': {
					if (!notes.has(message.text)) {
						notes.add(message.text);
						log('warn', message.text);
					}

					break;
				}

				case 'removed': {
					removals.get(message.request)?.();
					removals.delete(message.request);
					break;
				}

				case 'finished': {
					// Every client of this worker ended on its own: none is left to close.
					worker.size = 0;
					worker.finished = true;
					checkFinished();
					break;
				}

				default: {
					break;
				}
			}
		});
		child.send({type: 'start', source: worker.name, config, startIntervalMs, epochStart, feed: shapes?.feed ?? 'none'} satisfies ToWorker);
		return worker;
	}

	function addTo(worker: Worker, n: number): void {
		worker.ranges.push([nextId, n]);
		worker.size += n;
		worker.finished = false;
		worker.commandsSent++;
		command(worker, {type: 'add', count: n, firstId: nextId});
		nextId += n;
	}

	function live(): Worker[] {
		return workers.filter(worker => !worker.done);
	}

	for (let index = 0; index < count; index++) {
		workers.push(spawn(index));
	}

	/** Ask workers to stop clients, `n` in all, the fullest first; resolves when they have. */
	async function removeFrom(n: number, type: 'remove' | 'remove-oldest'): Promise<void> {
		let left = n;
		const waits: Array<Promise<void>> = [];
		while (left > 0) {
			const target = live().filter(worker => worker.size > 0).sort((a, b) => b.size - a.size)[0];
			if (!target) {
				break;
			}

			// Churn takes from every worker in proportion (each its own oldest); stages, the newest of the fullest.
			const take = type === 'remove' ? Math.min(left, target.size) : Math.min(left, target.size, Math.max(1, Math.ceil(n * target.size / Math.max(1, live().reduce((sum, worker) => sum + worker.size, 0)))));
			left -= take;
			target.size -= take;
			target.commandsSent++;
			const id = ++request;
			waits.push(new Promise(resolve => {
				removals.set(id, resolve);
			}));
			command(target, {type, count: take, request: id});
		}

		await Promise.all(waits);
	}

	return {
		async removeOldest(n) {
			await removeFrom(n, 'remove-oldest');
		},
		forEach() {
			throw new Error('forEach is not available with worker processes: the clients live in them');
		},
		dropAll() {
			for (const worker of live()) {
				command(worker, {type: 'drop'});
			}
		},
		rss() {
			return process.memoryUsage().rss + workers.reduce((sum, worker) => sum + (worker.done ? 0 : worker.rss), 0);
		},
		baselineRss() {
			return parentBaseline + workers.reduce((sum, worker) => sum + worker.helloRss, 0);
		},
		broadcast: {
			live: () => live().map(worker => worker.broadcast),
			all: () => workers.map(worker => worker.broadcast),
			published(seq, at) {
				for (const worker of live()) {
					command(worker, {type: 'published', seq, at});
				}
			},
		},
		add(n) {
			if (stopping || n <= 0) {
				return;
			}

			if (nextId === 1) {
				// The run's first clients: contiguous shares, worker 1 holding the lowest ids.
				for (const [index, worker] of workers.entries()) {
					const share = Math.floor(n / count) + (index < n % count ? 1 : 0);
					if (share > 0) {
						addTo(worker, share);
					}
				}

				return;
			}

			const target = live().sort((a, b) => a.size - b.size)[0];
			if (target) {
				addTo(target, n);
			}
		},
		async remove(n) {
			await removeFrom(n, 'remove');
		},
		async stop() {
			stopping = true;
			for (const worker of workers) {
				command(worker, {type: 'stop'});
			}

			const timer = setTimeout(() => {
				for (const worker of live()) {
					worker.child.kill('SIGKILL');
				}
			}, stopTimeoutMs);
			await Promise.all(workers.map(async worker => worker.exited));
			clearTimeout(timer);
		},
		get size() {
			return live().reduce((sum, worker) => sum + worker.size, 0);
		},
	};
}
