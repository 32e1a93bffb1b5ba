import type {BroadcastConfig, BroadcastTarget} from './config-delivery.js';
import {BroadcastTally, type BroadcastTallyResult} from './metrics/broadcast-tally.js';
import type {MetricsStore} from './metrics/store.js';
import type {BroadcastSummary} from './reporters/summary.js';
import {formatDuration} from './units.js';
import {sleep} from './engine/backoff.js';

/** What the broadcast scenario needs of a publisher (source/publish/ provides it). */
export type SequencePublisher = {
	publishSequence(options: {
		count: number;
		rate: number;
		stop: AbortSignal;
		/** the run id: a trigger endpoint tags the messages it builds with it */
		run: string;
		padBytes: number;
		message(seq: number): string;
		onPublished(seq: number, sentAtMs: number, receivers?: number): void;
	}): Promise<unknown>;
	close(): Promise<void>;
};

export type BroadcastDeps = {
	openPublisher(target: BroadcastTarget, options: {timeoutMs: number}): Promise<SequencePublisher>;
	message(seq: number, runId: string, padBytes: number): string;
};

export type BroadcastRun = {
	tally: BroadcastTally;
	/** settle, publish, drain; resolves when the scenario is done (or `stop` aborted); rejects when publishing fails */
	drive(): Promise<void>;
	summary(): BroadcastSummary;
};

/** What the scenario's controller is given, in one process or over remote tallies (broadcast-remote.ts). */
export type BroadcastRunOptions = {
	config: BroadcastConfig;
	/** publish once this many are subscribed (or --settle runs out) */
	clients: number;
	store: MetricsStore;
	stop: AbortSignal;
	timeoutMs: number;
	log(level: 'info' | 'warn', text: string): void;
	deps: BroadcastDeps;
};

const pollMs = 25;

/**
 * The broadcast scenario over a running pool: wait until every client is subscribed (or
 * --settle runs out), publish --count numbered messages at --rate, wait --drain for
 * stragglers (less when everything expected has arrived), and tally what each client got.
 */
export function createBroadcastRun({config, clients, store, stop, timeoutMs, log, deps}: BroadcastRunOptions): BroadcastRun {
	const tally = new BroadcastTally(config.runId, config.count, clients);
	store.trackBroadcast(tally);
	let openAtStart = 0;
	let settledMs = 0;

	async function drive(): Promise<void> {
		const settleEnd = store.elapsed() + config.settleMs;
		while (!stop.aborted && tally.subscribed < clients && store.elapsed() < settleEnd) {
			await sleep(pollMs, stop);
		}

		if (stop.aborted) {
			return;
		}

		openAtStart = tally.subscribed;
		settledMs = store.elapsed();
		log(openAtStart < clients ? 'warn' : 'info', openAtStart < clients
			? `--settle ${formatDuration(config.settleMs)} ran out with ${openAtStart} of ${clients} clients subscribed; publishing anyway`
			: `all ${clients} clients subscribed after ${formatDuration(settledMs)}; publishing ${config.count} messages${config.rate > 0 ? ` at ${config.rate}/s` : ''} (run ${config.runId})`);

		// Recorded as each message is built, so no client can have it before it counts as published.
		await publishNumbered(deps, config, {timeoutMs, stop}, (seq, agoMs) => {
			tally.publishing(seq, store.elapsed() - agoMs);
		});

		const drainEnd = store.elapsed() + config.drainMs;
		while (!stop.aborted && store.elapsed() < drainEnd && !tally.complete()) {
			await sleep(pollMs, stop);
		}

		log('info', `published ${tally.published} messages; ${tally.complete() ? 'every expected delivery arrived' : `drained for ${formatDuration(config.drainMs)}`}`);
	}

	return {
		tally,
		drive,
		summary(): BroadcastSummary {
			return {...summaryHead(config, openAtStart, settledMs), ...tallySummary(tally.result())};
		},
	};
}

/** What a broadcast summary says of the run before its tallies: one place for one process, remote tallies and compared targets. */
export function summaryHead(config: BroadcastConfig, openAtStart: number, settledMs: number): Pick<BroadcastSummary, 'runId' | 'via' | 'target' | 'requested' | 'rate' | 'openAtStart' | 'settledMs' | 'drainMs'> {
	return {
		runId: config.runId,
		via: config.target.kind,
		target: config.target.kind === 'redis' ? config.target.channel : config.target.url,
		requested: config.count,
		rate: config.rate,
		openAtStart,
		settledMs: Math.round(settledMs),
		drainMs: config.drainMs,
	};
}

/** A tally's result as the summary has it: its foreign messages are counted in the delivery block instead. */
export function tallySummary({foreign: _foreign, latencyMs, fanoutMs, ...result}: BroadcastTallyResult): Omit<BroadcastSummary, keyof ReturnType<typeof summaryHead>> {
	return {...result, latencyMs: latencyMs ?? null, fanoutMs: fanoutMs ?? null};
}

/**
 * Publish the run's numbered messages (--count at --rate, through Redis or a trigger) and tell
 * `mark` when each went out: `agoMs` 0 as a message is built here, or how long ago a trigger's
 * server built it (its send time, on this clock). One place for the one process, the agents'
 * controller and the compared targets.
 */
export async function publishNumbered(deps: BroadcastDeps, config: Pick<BroadcastConfig, 'target' | 'count' | 'rate' | 'runId' | 'padBytes'>, {timeoutMs, stop}: {timeoutMs: number; stop: AbortSignal}, mark: (seq: number, agoMs: number) => void): Promise<void> {
	const publisher = await deps.openPublisher(config.target, {timeoutMs});
	try {
		await publisher.publishSequence({
			count: config.count,
			rate: config.rate,
			stop,
			run: config.runId,
			padBytes: config.padBytes,
			message(seq) {
				mark(seq, 0);
				return deps.message(seq, config.runId, config.padBytes);
			},
			onPublished(seq, sentAtMs) {
				mark(seq, Math.max(0, Date.now() - sentAtMs));
			},
		});
	} finally {
		await publisher.close();
	}
}
