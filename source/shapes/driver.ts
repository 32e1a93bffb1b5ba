import type {Config} from '../config.js';
import type {Pool} from '../engine/pool.js';
import type {ClientEvent, ErrorKind} from '../engine/types.js';
import {DurationHistogram} from '../metrics/histogram.js';
import type {ShapeStatus} from '../metrics/snapshot.js';
import type {MetricsStore} from '../metrics/store.js';
import type {StopReason} from '../reporters/summary.js';
import type {ChurnSummary, HoldSummary, MemorySummary, ShapeSummaryParts, StormSummary} from './shape-summary.js';
import {stageAt} from './stages.js';

/** How often the driver moves the stage line, cycles churn and checks on the hold. */
const tickMs = 100;
/** Let the heap and socket buffers settle after the last open before reading RSS. */
const memorySettleMs = 1000;
/** A server restart: this share of the open clients dropped within `restartWindowMs`. */
const restartShare = 0.5;
const restartWindowMs = 2000;

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
 * Drives the load shape beside the pool, as broadcast.ts drives publishing: the stage line, the
 * hold, churn and the storm. It sees every client event (observe) and keeps per-client state in
 * typed arrays indexed by client id, so an event costs a switch and a store or two.
 */
export function createShapeRun({config, pool, store, end, log, rss = () => process.memoryUsage().rss, baselineRss, heardLagMs = 0}: ShapeDeps): ShapeRun {
	const {shape, scenario} = config;
	const clients = config.clients;
	let open = new Uint8Array(1024);
	let openNow = 0;
	let peakOpen = 0;
	let maxId = 0;
	let timer: NodeJS.Timeout | undefined;
	/** the hold's end and the storm's start */
	const timers: NodeJS.Timeout[] = [];
	let stopped = false;
	const startedAt = store.elapsed();

	const grow = (id: number) => {
		if (id >= open.length) {
			const next = new Uint8Array(Math.max(id + 1, open.length * 2));
			next.set(open);
			open = next;
			for (const track of perClient) {
				track.grow(next.length);
			}
		}
	};

	const perClient: Array<{grow(length: number): void}> = [];
	function bytesPerClient(): {get(id: number): number; set(id: number, value: number): void} {
		let values = new Uint8Array(open.length);
		perClient.push({
			grow(length) {
				const next = new Uint8Array(length);
				next.set(values);
				values = next;
			},
		});
		return {get: id => values[id] ?? 0, set(id, value) {
			values[id] = value;
		}};
	}

	// Hold (and churn, storm: they wait for everyone too before they act).
	const baselineAtStart = baselineRss ? undefined : rss();
	let allOpenAt: number | undefined;
	let holdFrom: number | undefined;
	let memory: MemorySummary | undefined;
	let holdHeartbeats = 0;
	const lastHeard = new Map<number, number>();
	const connectDeadline = startedAt + (clients * config.startIntervalMs) + config.timeoutMs;

	// Churn.
	let churnFrom: number | undefined;
	let churnFirstId = Number.POSITIVE_INFINITY;
	let churned = 0;
	const churn = {closed: 0, reopened: 0, failed: 0};
	const churnConnect = new DurationHistogram();
	const churnPending = bytesPerClient();

	// Storm.
	let stormAt: number | undefined;
	let stormTrigger: StormSummary['trigger'] = null;
	const dropped = bytesPerClient();
	let droppedCount = 0;
	let backCount = 0;
	const backAt: {p50: number | null; p99: number | null; p100: number | null} = {p50: null, p99: null, p100: null};
	const recovery = new DurationHistogram();
	const stormErrors: Partial<Record<ErrorKind, number>> = {};
	let stormErrorTotal = 0;
	let lostBefore = {gaps: 0, notResumed: 0};
	let lostAfter: {gaps: number; notResumed: number} | undefined;
	const recentDrops: Array<{at: number; id: number}> = [];
	let windowLoss = {gaps: 0, notResumed: 0};

	function deliveryLoss(): {gaps: number; notResumed: number} {
		const {delivery} = store.snapshot();
		return {gaps: delivery.gaps, notResumed: delivery.reconnects.notResumed};
	}

	function beginStorm(at: number, trigger: NonNullable<StormSummary['trigger']>, ids: number[], loss = deliveryLoss()): void {
		stormAt = at;
		stormTrigger = trigger;
		lostBefore = loss;
		for (const id of ids) {
			if (dropped.get(id) === 0) {
				dropped.set(id, 1);
				droppedCount++;
			}
		}

		log('info', trigger === 'storm-at'
			? `storm: dropping all ${droppedCount} open connections`
			: `storm: ${droppedCount} clients dropped within ${restartWindowMs / 1000}s (a server restart?); timing their return`);
	}

	function clientBack(id: number, now: number): void {
		dropped.set(id, 2);
		backCount++;
		recovery.record(now - stormAt!);
		const share = backCount / droppedCount;
		backAt.p50 ??= share >= 0.5 ? now - stormAt! : null;
		backAt.p99 ??= share >= 0.99 ? now - stormAt! : null;
		if (backCount === droppedCount) {
			backAt.p100 = now - stormAt!;
			lostAfter = deliveryLoss();
			log('info', `storm: all ${droppedCount} clients back after ${Math.round(backAt.p100)}ms`);
			if (config.durationMs === undefined) {
				end('finished');
			}
		}
	}

	function dropAll(): void {
		const ids: number[] = [];
		for (let id = 1; id <= maxId; id++) {
			if (open[id] === 1) {
				ids.push(id);
			}
		}

		beginStorm(store.elapsed(), 'storm-at', ids);
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
		if (ready !== undefined && holdFrom === undefined && (scenario === 'hold' || scenario === 'churn')) {
			holdFrom = ready;
			if (allOpenAt === undefined) {
				log('warn', `${openNow} of ${clients} clients open after ${Math.round(now - startedAt)}ms: ${scenario === 'hold' ? 'holding' : 'churning'} them anyway`);
			}

			if (scenario === 'churn') {
				churnFrom = now;
				churnFirstId = maxId + 1;
			}

			if (scenario === 'hold' && config.durationMs !== undefined) {
				timers.push(setTimeout(() => {
					end('duration');
				}, config.durationMs));
			}
		}

		if (scenario === 'hold' && memory === undefined && holdFrom !== undefined && now - holdFrom >= memorySettleMs) {
			memory = measureMemory();
		}

		if (churnFrom !== undefined && shape.churnRate !== undefined) {
			const due = Math.floor(((now - churnFrom) / 1000) * shape.churnRate) - churned;
			if (due > 0) {
				churned += due;
				churn.closed += Math.min(due, pool.size);
				void pool.removeOldest(due);
				pool.add(due);
			}
		}

		timer = setTimeout(tick, tickMs);
	}

	function measureMemory(): MemorySummary {
		const rssBytes = rss();
		const baselineBytes = baselineAtStart ?? baselineRss!();
		return {rssBytes, baselineBytes, connections: openNow, perConnectionBytes: openNow === 0 ? null : Math.round((rssBytes - baselineBytes) / openNow)};
	}

	function hold(): HoldSummary {
		const now = store.elapsed();
		const heldMs = holdFrom === undefined ? 0 : now - holdFrom;
		const heartbeatIntervalMs = holdHeartbeats === 0 || openNow === 0 ? null : Math.round((heldMs * openNow) / holdHeartbeats);
		let stale = 0;
		if (heartbeatIntervalMs !== null) {
			for (let id = 1; id <= maxId; id++) {
				if (open[id] === 1 && now - (lastHeard.get(id) ?? holdFrom ?? now) > (2 * heartbeatIntervalMs) + heardLagMs) {
					stale++;
				}
			}
		}

		return {connectAllMs: allOpenAt === undefined ? null : Math.round(allOpenAt - startedAt), heldMs: Math.round(heldMs), openAtEnd: openNow, heartbeats: holdHeartbeats, heartbeatIntervalMs, stale};
	}

	function stormSummary(): StormSummary {
		const lost = stormAt === undefined ? {gaps: 0, notResumed: 0} : lostAfter ?? deliveryLoss();
		const round = (value: number | null) => value === null ? null : Math.round(value);
		return {
			trigger: stormTrigger,
			atMs: round(stormAt ?? null),
			dropped: droppedCount,
			back: backCount,
			backMs: {p50: round(backAt.p50), p99: round(backAt.p99), p100: round(backAt.p100)},
			recoveryMs: recovery.summary() ?? null,
			failedAttempts: {total: stormErrorTotal, byKind: stormErrors},
			lost: {gaps: lost.gaps - lostBefore.gaps, notResumed: lost.notResumed - lostBefore.notResumed},
		};
	}

	function watchForRestart(id: number, now: number): void {
		while (recentDrops.length > 0 && now - recentDrops[0]!.at > restartWindowMs) {
			recentDrops.shift();
		}

		if (recentDrops.length === 0) {
			// A window opens: what delivery has lost so far, in case this turns out to be the storm.
			windowLoss = deliveryLoss();
		}

		recentDrops.push({at: now, id});
		if (recentDrops.length >= Math.max(1, Math.ceil(peakOpen * restartShare))) {
			beginStorm(recentDrops[0]!.at, 'server-restart', recentDrops.map(drop => drop.id), windowLoss);
			recentDrops.length = 0;
		}
	}

	const churnSummary = (): ChurnSummary => ({rate: shape.churnRate ?? 0, ...churn, connectMs: churnConnect.summary() ?? null});

	return {
		ownsDuration: scenario === 'hold',
		start() {
			if (scenario === 'storm' && shape.stormAtMs !== undefined) {
				timers.push(setTimeout(() => {
					if (!stopped) {
						dropAll();
					}
				}, shape.stormAtMs));
			}

			if (!shape.stages) {
				pool.add(clients);
			}

			// The stage line, the hold and churn move with time; a storm and a plain run only listen.
			if (shape.stages || scenario === 'hold' || scenario === 'churn') {
				tick();
			}
		},
		heard(ids, heartbeats, now) {
			if (holdFrom !== undefined && scenario === 'hold') {
				holdHeartbeats += heartbeats;
				for (const id of ids) {
					lastHeard.set(id, now);
				}
			}
		},
		observe(event, now = store.elapsed()) {
			const id = event.client;
			switch (event.kind) {
				case 'connecting': {
					if (id > maxId) {
						maxId = id;
						grow(id);
						if (id >= churnFirstId) {
							churnPending.set(id, 1);
						}
					}

					break;
				}

				case 'open': {
					grow(id);
					if (open[id] === 0) {
						open[id] = 1;
						openNow++;
						peakOpen = Math.max(peakOpen, openNow);
					}

					if (churnPending.get(id) === 1) {
						churnPending.set(id, 0);
						churn.reopened++;
						churnConnect.record(event.connectMs);
					}

					if (dropped.get(id) === 1) {
						clientBack(id, now);
					}

					break;
				}

				case 'heartbeat':
				case 'comment':
				case 'event': {
					if (holdFrom !== undefined && scenario === 'hold') {
						if (event.kind !== 'event') {
							holdHeartbeats++;
						}

						lastHeard.set(id, now);
					}

					break;
				}

				case 'error': {
					if (churnPending.get(id) === 1) {
						churn.failed++;
					}

					if (dropped.get(id) === 1) {
						stormErrorTotal++;
						stormErrors[event.error] = (stormErrors[event.error] ?? 0) + 1;
					}

					break;
				}

				case 'reconnect':
				case 'close': {
					if (open[id] === 1) {
						open[id] = 0;
						openNow--;
						// A final close is the client stopping (the end of the run, churn), not a drop.
						if (scenario === 'storm' && !(event.kind === 'close' && event.final)) {
							if (stormAt === undefined && shape.stormAtMs === undefined) {
								watchForRestart(id, now);
							} else if (stormAt !== undefined && backAt.p100 === null && dropped.get(id) === 0) {
								// A restart reaches some clients a little later than the first ones.
								dropped.set(id, 1);
								droppedCount++;
							}
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

			switch (scenario) {
				case 'hold': {
					return {name: 'hold', text: holdFrom === undefined ? `connecting ${openNow}/${clients}` : `holding ${openNow}/${clients}${memory?.perConnectionBytes ? `, ${Math.round(memory.perConnectionBytes / 1024)} KiB/conn` : ''}`};
				}

				case 'churn': {
					return {name: 'churn', text: churnFrom === undefined ? `connecting ${openNow}/${clients}` : `churn ${churn.closed} closed, ${churn.reopened} reopened, ${churn.failed} failed`};
				}

				case 'storm': {
					if (stormAt === undefined) {
						return {name: 'storm', text: shape.stormAtMs === undefined ? `watching for a server restart (${openNow} open)` : `storm at ${Math.round(shape.stormAtMs / 1000)}s (${openNow} open)`};
					}

					return {name: 'storm', text: `storm: ${droppedCount === 0 ? 100 : Math.floor((backCount / droppedCount) * 100)}% back (${backCount}/${droppedCount})`};
				}

				default: {
					return undefined;
				}
			}
		},
		summary() {
			const parts: ShapeSummaryParts = {};
			if (scenario === 'hold') {
				parts.memory = memory ?? measureMemory();
				parts.hold = hold();
			}

			if (scenario === 'churn') {
				parts.churn = churnSummary();
			}

			if (scenario === 'storm') {
				parts.storm = stormSummary();
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
