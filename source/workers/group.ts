import {fork, type ChildProcess} from 'node:child_process';
import type {Config} from '../config.js';
import type {Pool} from '../engine/pool.js';
import type {MetricsStore} from '../metrics/store.js';
import {stateIndexOf, wireVersion, type WireMessage, type WireRows} from '../metrics/wire.js';
import {clientStates} from '../engine/types.js';
import {columnNames, type Column} from '../metrics/columns.js';
import type {FromWorker, ToWorker} from './protocol.js';

export type WorkerGroupOptions = {
	config: Config;
	workers: number;
	store: MetricsStore;
	log(level: 'error' | 'warn' | 'info', text: string): void;
	/** every worker's clients ended on their own (or the worker is gone) */
	onAllFinished(): void;
	/** the worker module; tests may swap it */
	entry?: URL;
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
};

/** a worker closing 19,000 clients while they reconnect took ~10 s: room for that, then it is lost */
const stopTimeoutMs = 60_000;

/**
 * The clients of a run spread over N worker processes (--workers N): a Pool to run.ts, whose
 * add/remove/stop become IPC commands. Each worker sends wire messages that merge into the one
 * store; the parent runs no clients. A worker that exits without its final message is reported
 * in one line and its clients counted as failed; the others go on.
 */
export function createWorkerGroup({config, workers: count, store, log, onAllFinished, entry = new URL('worker-main.js', import.meta.url)}: WorkerGroupOptions): Pool {
	const epochStart = performance.timeOrigin + performance.now() - store.elapsed();
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
		const worker: Worker = {name: `w${index + 1}`, child, size: 0, commandsSent: 0, ranges: [], finished: false, done: false, exited: Promise.resolve(), stderrTail: ''};
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
				case 'metrics': {
					store.merge(message.wire);
					if (message.commands === worker.commandsSent) {
						worker.size = message.wire.active;
					}

					if (message.wire.final) {
						worker.done = true;
					}

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
					worker.finished = true;
					checkFinished();
					break;
				}

				default: {
					break;
				}
			}
		});
		child.send({type: 'start', source: worker.name, config, startIntervalMs, epochStart} satisfies ToWorker);
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

	return {
		// The load shapes that need these are refused with workers (plan.ts).
		async removeOldest() {
			throw new Error('removeOldest is not available with worker processes');
		},
		forEach() {
			throw new Error('forEach is not available with worker processes');
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
			let left = n;
			const waits: Array<Promise<void>> = [];
			while (left > 0) {
				const target = live().filter(worker => worker.size > 0).sort((a, b) => b.size - a.size)[0];
				if (!target) {
					break;
				}

				const take = Math.min(left, target.size);
				left -= take;
				target.size -= take;
				target.commandsSent++;
				const id = ++request;
				waits.push(new Promise(resolve => {
					removals.set(id, resolve);
				}));
				command(target, {type: 'remove', count: take, request: id});
			}

			await Promise.all(waits);
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

/**
 * The last word for a worker that died: its clients that had not closed normally are failed,
 * its counters stay as last reported. Built as a wire message so the store has one way in.
 */
export function lostMessage(store: MetricsStore, source: string, ranges: ReadonlyArray<[number, number]>, why = 'worker process lost'): WireMessage {
	const last = store.lastFrom(source);
	const table = store.rowTable();
	const failed = stateIndexOf('failed');
	const closed = stateIndexOf('closed');
	const rows: WireRows = {ids: [], state: [], columns: {} as Record<Column, number[]>, lastEventId: [], lastError: []};
	for (const name of columnNames) {
		rows.columns[name] = [];
	}

	let total = 0;
	let closedCount = 0;
	let highestId = 0;
	for (const [first, n] of ranges) {
		total += n;
		for (let id = first; id < first + n; id++) {
			highestId = Math.max(highestId, id);
			const isClosed = id <= table.count && table.state[id] === closed;
			closedCount += isClosed ? 1 : 0;
			rows.ids.push(id);
			rows.state.push(isClosed ? closed : failed);
			for (const name of columnNames) {
				rows.columns[name].push(id <= table.count ? table.columns[name][id]! : (name === 'lastMessageAt' || name === 'lastHeartbeatAt' || name === 'connectMs' || name === 'latencyMs' ? -1 : 0));
			}

			rows.lastEventId.push(table.lastEventId[id] ?? '');
			rows.lastError.push(isClosed ? (table.lastError[id] ?? '') : why);
		}
	}

	const states = Object.fromEntries(clientStates.map(state => [state, 0])) as WireMessage['states'];
	states.closed = closedCount;
	states.failed = total - closedCount;
	return {
		v: wireVersion,
		source,
		seq: (last?.seq ?? 0) + 1,
		final: true,
		highestId,
		active: 0,
		states,
		totals: last?.totals ?? {messages: 0, heartbeats: 0, errors: 0, reconnects: 0, connects: 0, failedAttempts: 0, clientsConnected: 0, bytes: 0},
		errorsByKind: last?.errorsByKind ?? {},
		delivery: last?.delivery ?? {accountedClients: 0, unaccountedClients: 0, sources: {seq: 0, field: 0, id: 0, streamId: 0}, received: 0, gaps: 0, duplicates: 0, outOfOrder: 0, resets: 0, unsequenced: 0, reconnects: {resumed: 0, notResumed: 0}, foreign: 0},
		histograms: {connect: null, latency: null, reconnect: null},
		rows,
	};
}
