import cluster from 'node:cluster';
import process from 'node:process';
import {fileURLToPath} from 'node:url';
import {RunError} from '../source/errors.js';
import {shareOf, type Entry, type ToPrimary, type ToWorker, type WorkerSetup} from './cluster-protocol.js';
import {Replies} from './cluster-replies.js';
import {answerRequest, type RequestHandlers} from './cluster-requests.js';
import {createSlots, forkSlot, liveSlots, mayRestart, seedEntries, sendTo as sendToSlot, type Slot} from './cluster-slots.js';
import {clusterStats, finalStats, primaryPart as primaryPartOf} from './cluster-stats.js';
import {createLogger, type Logger} from './logger.js';
import {resolveServerOptions, type ServerOptions} from './options.js';
import {bridgeFor} from './redis-bridge.js';
import {RedisReplayStore} from './redis-replay.js';
import {RingReplayStore, type ReplayStore} from './replay.js';
import type {ServerStats} from './stats.js';
import {tick, type Ticker} from './ticker.js';
import {TriggerGate, type TriggerTarget} from './trigger.js';

/** How long /dashboard/stats waits for the other workers' counts. */
const statsWaitMs = 1000;
/** How long a trigger waits for every worker to have queued a batch (its deliveries count). */
const ackWaitMs = 5000;
/** How long startCluster waits for Redis before serving anyway (it keeps retrying after). */
const redisStartWaitMs = 2000;

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
	const slots = createSlots(workers);

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
	const acks = new Replies<{deliveries: number}>();
	const statsReplies = new Replies<ServerStats>();

	const live = (): Slot[] => liveSlots(slots);
	const sendTo = (slot: Slot, message: ToWorker): void => {
		sendToSlot(slot, message, logger);
	};

	/** A worker that died answers nothing more: stop waiting for it. */
	const forget = (from: number): void => {
		acks.forget(from);
		statsReplies.forget(from);
	};

	/** Numbers `jsons` (or takes the Redis stream ids) and sends them to every worker, in order. */
	function publish(jsons: readonly string[], ids: ReadonlyArray<string | undefined> | undefined, ack: boolean): {entries: Entry[]; acked: Promise<Map<number, {deliveries: number}>>} {
		const entries = jsons.map((json, index) => ({id: replay.append(json, ids?.[index]).id, json}));
		broadcasts += entries.length;
		const key = ++seq;
		const targets = live();
		const acked = ack ? acks.gather(key, targets.filter(slot => slot.ready).map(slot => slot.number), ackWaitMs) : Promise.resolve(new Map<number, {deliveries: number}>());
		for (const slot of targets) {
			sendTo(slot, {t: 'publish', seq: key, entries, ack: ack && slot.ready});
		}

		return {entries, acked};
	}

	async function collect(): Promise<ServerStats> {
		const targets = live().filter(slot => slot.ready);
		const key = ++seq;
		const replies = statsReplies.gather(key, targets.map(slot => slot.number), statsWaitMs);
		for (const slot of targets) {
			sendTo(slot, {t: 'stats', req: key});
		}

		return clusterStats(primaryPart(), slots, await replies);
	}

	const primaryPart = () => primaryPartOf({startedAt, broadcasts, replay, redis});

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

	const requestHandlers: RequestHandlers = {
		trigger: async request => triggerGate.run(triggerTarget, request),
		stats: collect,
		redis,
	};

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
		const worker = forkSlot(slot, setup);
		worker.on('message', (message: ToPrimary) => {
			switch (message.t) {
				case 'hello': {
					// Messages sent before the worker listens are lost, so nothing goes out before
					// this: first what the replay holds now (the Redis store's local copy, the
					// entries the other workers hold), then every later broadcast, in order.
					slot.listening = true;
					sendTo(slot, {t: 'seed', entries: seedEntries(replay)});
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
					acks.answer(message.seq, slot.number, {deliveries: message.deliveries});
					return;
				}

				case 'stats': {
					statsReplies.answer(message.req, slot.number, message.stats);
					return;
				}

				case 'final': {
					slot.final = message.stats;
					return;
				}

				case 'request': {
					answerRequest(slot.number, message, requestHandlers, reply => {
						sendTo(slot, reply);
					});
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
			const restart = mayRestart(slot, now);
			if (firstStart) {
				// Not up yet: the start fails (unless its fatal message already said why).
				firstStart.reject(new RunError(`worker ${slot.number} exited before it listened (${signal ?? `code ${code}`})`));
				firstStart = undefined;
				return;
			}

			if (!restart) {
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
				return finalStats(primaryPart(), slots);
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
