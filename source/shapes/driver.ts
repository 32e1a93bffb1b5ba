import type {Config} from '../config.js';
import type {Pool} from '../engine/pool.js';
import type {ClientEvent, ErrorKind} from '../engine/types.js';
import type {ShapeStatus} from '../metrics/snapshot.js';
import type {MetricsStore} from '../metrics/store.js';
import type {StopReason} from '../reporters/summary.js';
import {ChurnTracker} from './churn.js';
import {ClientFlags} from './client-flags.js';
import {HoldTracker} from './hold.js';
import type {ShapeSummaryParts} from './shape-summary.js';
import {stageAt} from './stages.js';
import {StormTracker} from './storm.js';

/** How often the driver moves the stage line, cycles churn and checks on the hold. */
const tickMs = 100;

export type ShapeDeps = {
	config: Config;
	pool: Pool;
	store: MetricsStore;
	end(reason: StopReason): void;
	log(level: 'info' | 'warn', text: string): void;
	/** RSS in bytes of every process holding clients (tests may swap it) */
	rss?: () => number;
	/** the same before any client, read when memory is measured (default: rss() when the driver is made) */
	baselineRss?: () => number;
	/** how late `heard` may come (worker processes batch it): added to the hold's stale threshold */
	heardLagMs?: number;
	/** the clients start this long after start() (agents start at one instant ahead): the stage line and --storm-at count from then */
	startDelayMs?: number;
};

/** What the driver reads of a client event: a ClientEvent, or one forwarded from a worker process (workers/lifecycle.ts). */
export type ShapeEvent =
	| {kind: 'open'; client: number; connectMs: number}
	| {kind: 'error'; client: number; error: ErrorKind}
	| {kind: 'close'; client: number; final: boolean}
	| {kind: Exclude<ClientEvent['kind'], 'open' | 'error' | 'close'>; client: number};

export type ShapeRun = {
	/** Start the clients as the shape says (replaces pool.add(config.clients)). */
	start(): void;
	/** Every client event, before or after the store has it; `now`: when it happened (default: now). */
	observe(event: ShapeEvent, now?: number): void;
	/** Hold, with worker processes: these clients were heard from (and this many heartbeats) by `now`. */
	heard(ids: readonly number[], heartbeats: number, now: number): void;
	/** for the Snapshot: a short status line, or undefined when the run has no shape */
	status(): ShapeStatus | undefined;
	/** the shape's Summary blocks, taken at the end */
	summary(): ShapeSummaryParts;
	stop(): void;
	/** true when the shape ends the run itself (hold: --duration counts from all held) */
	readonly ownsDuration: boolean;
};

/**
 * Drives the load shape beside the pool, as broadcast.ts drives publishing: the stage line here,
 * the hold, churn and the storm in their own trackers (hold.ts, churn.ts, storm.ts). It sees every
 * client event (observe) and keeps per-client state in typed arrays indexed by client id, so an
 * event costs a switch and a store or two.
 */
export function createShapeRun({config, pool, store, end, log, rss = () => process.memoryUsage().rss, baselineRss, heardLagMs = 0, startDelayMs = 0}: ShapeDeps): ShapeRun {
	const {shape, scenario} = config;
	const clients = config.clients;
	const open = new ClientFlags();
	const seen = new ClientFlags();
	let openNow = 0;
	let peakOpen = 0;
	let maxId = 0;
	let timer: NodeJS.Timeout | undefined;
	/** the hold's end and the storm's start */
	const timers: NodeJS.Timeout[] = [];
	let stopped = false;
	const startedAt = store.elapsed() + startDelayMs;
	// Hold and churn wait for everyone (or the connect deadline) before they act.
	let allOpenAt: number | undefined;
	let readyAt: number | undefined;
	const connectDeadline = startedAt + (clients * config.startIntervalMs) + config.timeoutMs;

	const baselineAtStart = baselineRss ? undefined : rss();
	const hold = scenario === 'hold' ? new HoldTracker({rss, baselineRss: baselineRss ?? (() => baselineAtStart!), heardLagMs}) : undefined;
	const churn = scenario === 'churn' && shape.churnRate !== undefined ? new ChurnTracker(shape.churnRate) : undefined;
	const storm = scenario === 'storm' ? new StormTracker({
		stormAtMs: shape.stormAtMs,
		loss() {
			const {delivery} = store.snapshot();
			return {gaps: delivery.gaps, notResumed: delivery.reconnects.notResumed};
		},
		log(text) {
			log('info', text);
		},
		onAllBack() {
			if (config.durationMs === undefined) {
				end('finished');
			}
		},
	}) : undefined;

	const forEachOpen = (fn: (id: number) => void) => {
		for (let id = 1; id <= maxId; id++) {
			if (open.get(id) === 1) {
				fn(id);
			}
		}
	};

	function dropAll(): void {
		const ids: number[] = [];
		forEachOpen(id => ids.push(id));
		storm?.dropAll(store.elapsed(), ids);
		pool.dropAll();
	}

	function tick(): void {
		timer = undefined;
		if (stopped) {
			return;
		}

		const now = store.elapsed();
		if (shape.stages) {
			const {target} = stageAt(shape.stages, now - startedAt);
			const difference = target - pool.size;
			if (difference > 0) {
				pool.add(difference);
			} else if (difference < 0) {
				void pool.remove(-difference);
			}
		}

		if (allOpenAt === undefined && openNow >= clients) {
			allOpenAt = now;
		}

		const ready = allOpenAt ?? (now >= connectDeadline ? now : undefined);
		if (ready !== undefined && readyAt === undefined && (hold || churn)) {
			readyAt = ready;
			if (allOpenAt === undefined) {
				log('warn', `${openNow} of ${clients} clients open after ${Math.round(now - startedAt)}ms: ${hold ? 'holding' : 'churning'} them anyway`);
			}

			churn?.start(now, maxId + 1);
			hold?.start(ready);
			if (hold && config.durationMs !== undefined) {
				timers.push(setTimeout(() => {
					end('duration');
				}, config.durationMs));
			}
		}

		hold?.tick(now, openNow);
		churn?.tick(now, pool);
		timer = setTimeout(tick, tickMs);
	}

	return {
		ownsDuration: scenario === 'hold',
		start() {
			if (storm && shape.stormAtMs !== undefined) {
				timers.push(setTimeout(() => {
					if (!stopped) {
						dropAll();
					}
				}, shape.stormAtMs + startDelayMs));
			}

			if (!shape.stages) {
				pool.add(clients);
			}

			// The stage line, the hold and churn move with time; a storm and a plain run only listen.
			if (shape.stages || hold || churn) {
				tick();
			}
		},
		heard(ids, heartbeats, now) {
			hold?.heardMany(ids, heartbeats, now);
		},
		observe(event, now = store.elapsed()) {
			const id = event.client;
			switch (event.kind) {
				case 'connecting': {
					// A first attempt. Agents report in batches, so ids may come out of order.
					if (seen.get(id) === 0) {
						seen.set(id, 1);
						maxId = Math.max(maxId, id);
						churn?.started(id);
					}

					break;
				}

				case 'open': {
					if (open.get(id) === 0) {
						open.set(id, 1);
						openNow++;
						peakOpen = Math.max(peakOpen, openNow);
					}

					churn?.opened(id, event.connectMs);
					storm?.opened(id, now);
					break;
				}

				case 'heartbeat':
				case 'comment':
				case 'event': {
					hold?.heard(id, now, event.kind !== 'event');
					break;
				}

				case 'error': {
					churn?.failed(id);
					storm?.failed(id, event.error);
					break;
				}

				case 'reconnect':
				case 'close': {
					if (open.get(id) === 1) {
						open.set(id, 0);
						openNow--;
						// A final close is the client stopping (the end of the run, churn), not a drop.
						if (!(event.kind === 'close' && event.final)) {
							storm?.lost(id, now, peakOpen);
						}
					}

					break;
				}

				default: {
					break;
				}
			}
		},
		status() {
			if (shape.stages) {
				const {index, target} = stageAt(shape.stages, store.elapsed() - startedAt);
				return {name: 'stages', text: index >= shape.stages.length ? `stages done: holding ${target}` : `stage ${index + 1}/${shape.stages.length}: target ${target} -> ${shape.stages[index]!.target}`};
			}

			if (hold) {
				return {name: 'hold', text: hold.status(openNow, clients)};
			}

			if (churn) {
				return {name: 'churn', text: churn.status(openNow, clients)};
			}

			return storm ? {name: 'storm', text: storm.status(openNow)} : undefined;
		},
		summary() {
			const parts: ShapeSummaryParts = {};
			if (hold) {
				parts.memory = hold.memorySummary(openNow);
				parts.hold = hold.summary(store.elapsed(), allOpenAt, startedAt, openNow, forEachOpen);
			}

			if (churn) {
				parts.churn = churn.summary();
			}

			if (storm) {
				parts.storm = storm.summary();
			}

			if (shape.stages) {
				parts.stages = {stages: shape.stages.map(stage => ({...stage})), peakOpen};
			}

			return parts;
		},
		stop() {
			stopped = true;
			clearTimeout(timer);
			for (const pending of timers) {
				clearTimeout(pending);
			}
		},
	};
}
