import cluster, {type Worker} from 'node:cluster';
import process from 'node:process';
import {fileURLToPath} from 'node:url';
import {RunError} from '../source/errors.js';
import {shareOf, workerSetupVariable, type Entry, type ToPrimary, type ToWorker, type WorkerRequest, type WorkerSetup} from './cluster-protocol.js';
import {createLogger, type Logger} from './logger.js';
import {resolveServerOptions, type ServerOptions} from './options.js';
import {bridgeFor} from './redis-bridge.js';
import {RedisReplayStore} from './redis-replay.js';
import {RingReplayStore, type ReplayEntry, type ReplayStore} from './replay.js';
import {sumStats, type ServerStats, type WorkerStats} from './stats.js';
import {tick, type Ticker} from './ticker.js';
import {TriggerGate, type TriggerTarget} from './trigger.js';

/** How long /dashboard/stats waits for the other workers' counts. */
const statsWaitMs = 1000;
/** How long a trigger waits for every worker to have queued a batch (its deliveries count). */
const ackWaitMs = 5000;
/** How long startCluster waits for Redis before serving anyway (it keeps retrying after). */
const redisStartWaitMs = 2000;
/** A worker slot is restarted at most this many times within `restartWindowMs`, then left empty. */
const maxRestarts = 5;
const restartWindowMs = 60_000;

export type RunningCluster = {
	readonly url: string;
	readonly port: number;
	readonly host: string;
	readonly options: ServerOptions;
	readonly workers: number;
	/** Every worker stops gracefully (the shutdown grace applies in each); resolves once all exited. */
	close(): Promise<void>;
	/** Tells every worker to destroy its sockets now; close() still resolves afterwards. */
	destroy(): void;
	/** The workers' stats, summed (live workers only; once closed, their final counts). */
	stats(): Promise<ServerStats>;
	/** Produces one broadcast for every client of every worker; resolves once each worker queued it. */
	broadcast(message: unknown): Promise<number>;
	/** Worker process ids by slot (1..N), for tests and the bench. */
	pids(): number[];
};

type Slot = {
	readonly number: number;
	worker: Worker | undefined;
	/** The worker listens for our messages (it said hello); until then sending would lose them. */
	listening: boolean;
	ready: boolean;
	restarts: number[];
	final: ServerStats | undefined;
};

type Waiter<T> = {pending: Set<number>; results: Map<number, T>; done(): void};

/** `--workers auto`: one per core. */
export function workersForCores(cores: number): number {
	return Math.max(1, cores);
}

/**
 * The primary of `serve --workers N`. It accepts no connection itself (node:cluster hands each
 * one to a worker, round-robin on Linux); it produces every broadcast exactly once (the
 * --interval ticker, trigger-test, the one Redis subscription of this instance), gives it its
 * SSE id from its own replay store, and sends it to every worker in order. Each worker fans it
 * out to its own clients and keeps the same replay entries, so a resume works on any of them.
 */
export async function startCluster(partial: Partial<ServerOptions>, workers: number, workerEntry = fileURLToPath(new URL('cluster-worker.js', import.meta.url))): Promise<RunningCluster> {
	if (!cluster.isPrimary) {
		throw new Error('startCluster runs in the primary only');
	}

	const options = resolveServerOptions(partial);
	const logger: Logger = createLogger({level: options.logLevel, json: options.jsonLogs, stream: options.logStream ?? process.stderr, base: {worker: 'primary'}});
	const startedAt = new Date();
	let closing = false;
	let broadcasts = 0;
	let triggered = 0;
	let port = options.port;
	const slots: Slot[] = Array.from({length: workers}, (_, index) => ({number: index + 1, worker: undefined, listening: false, ready: false, restarts: [], final: undefined}));

	const redis = bridgeFor(options, logger, ({id, json}) => {
		if (!closing) {
			publish([json], [id], false);
		}
	});
	const replay: ReplayStore = redis && options.replay > 0 ? new RedisReplayStore(options.replay, redis, logger) : new RingReplayStore(options.replay);

	let seq = 0;
	// The trigger's rate limit is the whole server's: every worker asks the primary.
	const triggerGate = new TriggerGate(options.triggerRate, options.triggerBurst);
	/** Each worker's subscribers at its last ack: sizes the trigger's slices. */
	const audiences = new Map<number, number>();
	const ackWaiters = new Map<number, Waiter<{deliveries: number}>>();
	const statsWaiters = new Map<number, Waiter<ServerStats>>();

	const live = (): Slot[] => slots.filter(slot => slot.listening && slot.worker && !slot.worker.isDead() && slot.worker.isConnected());
	const sendTo = (slot: Slot, message: ToWorker): void => {
		try {
			slot.worker?.send(message);
		} catch (error) {
			logger.debug('send to worker failed', {to: slot.number, error: String(error)});
		}
	};

	/** Waits for an answer from each of `targets` (bounded); the callers read `results`. */
	const gather = <T>(waiters: Map<number, Waiter<T>>, key: number, targets: Slot[], timeoutMs: number): Promise<Map<number, T>> =>
		new Promise(resolve => {
			const results = new Map<number, T>();
			const waiter: Waiter<T> = {
				pending: new Set(targets.map(slot => slot.number)),
				results,
				done() {
					clearTimeout(timer);
					waiters.delete(key);
					resolve(results);
				},
			};
			const timer = setTimeout(() => waiter.done(), timeoutMs);
			waiters.set(key, waiter);
			if (waiter.pending.size === 0) {
				waiter.done();
			}
		});

	const answer = <T>(waiters: Map<number, Waiter<T>>, key: number, from: number, value: T): void => {
		const waiter = waiters.get(key);
		if (waiter?.pending.delete(from)) {
			waiter.results.set(from, value);
			if (waiter.pending.size === 0) {
				waiter.done();
			}
		}
	};

	/** A worker that died answers nothing more: stop waiting for it. */
	const forget = (from: number): void => {
		for (const waiters of [ackWaiters, statsWaiters] as Array<Map<number, Waiter<unknown>>>) {
			for (const waiter of [...waiters.values()]) {
				if (waiter.pending.delete(from) && waiter.pending.size === 0) {
					waiter.done();
				}
			}
		}
	};

	/** Numbers `jsons` (or takes the Redis stream ids) and sends them to every worker, in order. */
	function publish(jsons: readonly string[], ids: ReadonlyArray<string | undefined> | undefined, ack: boolean): {entries: Entry[]; acked: Promise<Map<number, {deliveries: number}>>} {
		const entries = jsons.map((json, index) => ({id: replay.append(json, ids?.[index]).id, json}));
		broadcasts += entries.length;
		const key = ++seq;
		const targets = live();
		const acked = ack ? gather(ackWaiters, key, targets.filter(slot => slot.ready), ackWaitMs) : Promise.resolve(new Map());
		for (const slot of targets) {
			sendTo(slot, {t: 'publish', seq: key, entries, ack: ack && slot.ready});
		}

		return {entries, acked};
	}

	async function collect(): Promise<ServerStats> {
		const targets = live().filter(slot => slot.ready);
		const key = ++seq;
		const replies = gather(statsWaiters, key, targets, statsWaitMs);
		for (const slot of targets) {
			sendTo(slot, {t: 'stats', req: key});
		}

		const results = await replies;
		const parts: WorkerStats[] = [...results].map(([number, stats]) => ({worker: number, pid: slots[number - 1]!.worker?.process.pid ?? 0, stats}));
		return sumStats(primaryPart(), parts, workers - parts.length);
	}

	const primaryPart = (): Pick<ServerStats, 'startedAt' | 'uptimeMs' | 'broadcasts' | 'replay' | 'redis'> => ({
		startedAt: startedAt.toISOString(),
		uptimeMs: Date.now() - startedAt.getTime(),
		broadcasts,
		replay: {size: replay.size, capacity: replay.capacity, lastId: replay.lastId, resumes: 0, gaps: 0},
		...(redis ? {redis: redis.stats()} : {}),
	});

	const triggerTarget: TriggerTarget = {
		redis,
		logger,
		closing: () => closing,
		nextNumber: () => ++triggered,
		async publishLocal(batch) {
			const {entries, acked} = publish(batch, undefined, true);
			let deliveries = 0;
			for (const {deliveries: count} of (await acked).values()) {
				deliveries += count;
			}

			return {deliveries, firstId: entries[0]?.id ?? '', lastId: entries.at(-1)?.id ?? ''};
		},
		async subscribers() {
			const stats = await collect();
			return {sse: stats.sse.current, cable: stats.cable.current, ws: stats.ws.current};
		},
		audience: () => Math.max(...audiences.values(), 0),
		// Each slice already waited for every worker's ack.
		settled: async () => undefined,
	};

	async function serveRequest(from: Slot, what: WorkerRequest): Promise<unknown> {
		switch (what.kind) {
			case 'trigger': {
				return triggerGate.run(triggerTarget, what.request);
			}

			case 'stats': {
				return collect();
			}

			case 'since': {
				if (!redis) {
					throw new Error('no Redis');
				}

				return redis.streamSince(what.id);
			}

			case 'latest': {
				if (!redis) {
					throw new Error('no Redis');
				}

				return redis.streamLatest(what.count);
			}

			default: {
				throw new Error(`unknown request from worker ${from.number}`);
			}
		}
	}

	let firstStart: {resolve(): void; reject(error: Error): void} | undefined;
	const started = new Promise<void>((resolve, reject) => {
		firstStart = {resolve, reject};
	});

	cluster.setupPrimary({exec: workerEntry, args: [], silent: false});

	function fork(slot: Slot): void {
		const setup: WorkerSetup = {
			worker: slot.number,
			// The port as given, also for a restarted worker: node:cluster keys the shared listening
			// handle by the address and port asked for, so port 0 means the port the first worker got
			// (asking for that number would open a second handle and fail with EADDRINUSE).
			options: {...options, logStream: undefined} as WorkerSetup['options'],
			maxLocalConnections: shareOf(options.maxConnections, workers, slot.number),
		};
		delete (setup.options as {logStream?: unknown}).logStream;
		const worker = cluster.fork({[workerSetupVariable]: JSON.stringify(setup)});
		slot.worker = worker;
		slot.listening = false;
		slot.ready = false;
		slot.final = undefined;
		worker.on('message', (message: ToPrimary) => {
			switch (message.t) {
				case 'hello': {
					// Messages sent before the worker listens are lost, so nothing goes out before
					// this: first what the replay holds now (the Redis store's local copy, the
					// entries the other workers hold), then every later broadcast, in order.
					const held = replay instanceof RedisReplayStore ? replay.localEntries() : (replay.entries() as readonly ReplayEntry[]);
					slot.listening = true;
					sendTo(slot, {t: 'seed', entries: held.map(entry => ({id: entry.id, json: jsonOfFrame(entry.frame)}))});
					if (redis) {
						sendTo(slot, {t: 'redis', available: redis.available});
					}

					return;
				}

				case 'ready': {
					slot.ready = true;
					if (slots.every(each => each.ready)) {
						firstStart?.resolve();
						firstStart = undefined;
					}

					return;
				}

				case 'fatal': {
					const error = new RunError(message.message);
					if (firstStart) {
						firstStart.reject(error);
						firstStart = undefined;
					} else {
						logger.error('worker failed to start', {to: slot.number, error: message.message});
					}

					return;
				}

				case 'ack': {
					audiences.set(slot.number, message.subscribers.sse + message.subscribers.cable + message.subscribers.ws);
					answer(ackWaiters, message.seq, slot.number, {deliveries: message.deliveries});
					return;
				}

				case 'stats': {
					answer(statsWaiters, message.req, slot.number, message.stats);
					return;
				}

				case 'final': {
					slot.final = message.stats;
					return;
				}

				case 'request': {
					serveRequest(slot, message.what).then(
						value => {
							sendTo(slot, {t: 'reply', req: message.req, ok: true, value});
						},
						(error: unknown) => {
							sendTo(slot, {t: 'reply', req: message.req, ok: false, error: error instanceof Error ? error.message : String(error)});
						},
					);
					return;
				}

				default:
			}
		});
		worker.on('listening', address => {
			if (port === 0) {
				port = address.port;
			}
		});
		worker.on('exit', (code, signal) => {
			slot.listening = false;
			slot.ready = false;
			forget(slot.number);
			if (closing) {
				return;
			}

			const now = Date.now();
			slot.restarts = slot.restarts.filter(at => now - at < restartWindowMs);
			if (firstStart) {
				// Not up yet: the start fails (unless its fatal message already said why).
				firstStart.reject(new RunError(`worker ${slot.number} exited before it listened (${signal ?? `code ${code}`})`));
				firstStart = undefined;
				return;
			}

			if (slot.restarts.length >= maxRestarts) {
				logger.error('worker died again; not restarting it', {to: slot.number, pid: worker.process.pid, code: code ?? undefined, signal: signal ?? undefined, restarts: slot.restarts.length});
				if (live().length === 0) {
					logger.error('no worker left; stopping');
					process.kill(process.pid, 'SIGTERM');
				}

				return;
			}

			slot.restarts.push(now);
			logger.warn('worker died; restarting it (its clients reconnect to the others)', {to: slot.number, pid: worker.process.pid, code: code ?? undefined, signal: signal ?? undefined});
			fork(slot);
		});
	}

	for (const slot of slots) {
		fork(slot);
	}

	try {
		await started;
	} catch (error) {
		closing = true;
		redis?.close();
		for (const slot of slots) {
			slot.worker?.process.kill('SIGKILL');
		}

		throw error;
	}

	const urlHost = options.host.includes(':') ? `[${options.host}]` : options.host;
	const url = `${options.tlsCert === undefined ? 'http' : 'https'}://${urlHost}:${port}`;
	logger.info('listening', {url, workers});

	const timers: NodeJS.Timeout[] = [];
	const ticker: Ticker = {
		redis,
		channel: options.redisChannel,
		intervalMs: options.intervalMs,
		startedAt,
		closing: () => closing,
		publishLocal(json) {
			publish([json], undefined, false);
		},
	};
	if (options.intervalMs > 0) {
		timers.push(
			setInterval(() => {
				tick(ticker);
			}, options.intervalMs).unref(),
		);
	}

	if (redis) {
		// Workers read the Redis stream through us for resumes; they need to know when it is there.
		let known = redis.available;
		timers.push(
			setInterval(() => {
				if (redis.available !== known) {
					known = redis.available;
					for (const slot of live()) {
						sendTo(slot, {t: 'redis', available: known});
					}
				}
			}, 100).unref(),
		);
		redis.start();
		await redis.ready(redisStartWaitMs);
		known = redis.available;
		for (const slot of live()) {
			sendTo(slot, {t: 'redis', available: known});
		}
	}

	let closed: Promise<void> | undefined;
	const close = async (): Promise<void> => {
		closed ??= (async () => {
			closing = true;
			redis?.close();
			for (const timer of timers) {
				clearInterval(timer);
			}

			const exits = slots.map(
				async slot =>
					new Promise<void>(resolve => {
						const {worker} = slot;
						if (!worker || worker.isDead()) {
							resolve();
							return;
						}

						worker.once('exit', () => resolve());
						sendTo(slot, {t: 'shutdown'});
					}),
			);
			await Promise.all(exits);
		})();
		return closed;
	};

	return {
		url,
		port,
		host: options.host,
		options,
		workers,
		close,
		destroy() {
			void close();
			for (const slot of live()) {
				sendTo(slot, {t: 'force'});
			}

			// A worker stuck past the grace: the primary never outlives its children.
			setTimeout(() => {
				for (const slot of slots) {
					if (slot.worker && !slot.worker.isDead()) {
						slot.worker.process.kill('SIGKILL');
					}
				}
			}, 1000).unref();
		},
		async stats() {
			if (closing && slots.every(slot => !slot.worker || slot.worker.isDead())) {
				const parts = slots.filter(slot => slot.final).map(slot => ({worker: slot.number, pid: slot.worker?.process.pid ?? 0, stats: slot.final!}));
				return sumStats(primaryPart(), parts, workers - parts.length);
			}

			return collect();
		},
		async broadcast(message) {
			const json = JSON.stringify(message) as string | undefined;
			if (json === undefined) {
				throw new TypeError(`broadcast() needs a JSON-serialisable message (got ${typeof message})`);
			}

			let deliveries = 0;
			for (const {deliveries: count} of (await publish([json], undefined, true).acked).values()) {
				deliveries += count;
			}

			return deliveries;
		},
		pids: () => slots.map(slot => slot.worker?.process.pid ?? 0),
	};
}

/** The JSON payload of a replay frame (`id: N\ndata: JSON\n\n`), for seeding a new worker. */
function jsonOfFrame(frame: Buffer): string {
	const text = frame.toString();
	const start = text.indexOf('\ndata: ') + 7;
	return text.slice(start, text.length - 2);
}
