import {publishNumbered, summaryHead, type BroadcastRun, type BroadcastRunOptions} from './broadcast.js';
import type {BroadcastConfig} from './config-delivery.js';
import {BroadcastTally, listedBroadcasts, listedSeqs, type BroadcastTallyResult} from './metrics/broadcast-tally.js';
import {DurationHistogram} from './metrics/histogram.js';
import type {MetricsStore} from './metrics/store.js';
import type {WireHistogram} from './metrics/wire.js';
import type {BroadcastProgress} from './metrics/snapshot.js';
import type {BroadcastSummary} from './reporters/summary.js';
import {formatDuration} from './units.js';
import {sleep} from './engine/backoff.js';

/**
 * The broadcast scenario when the clients live in other processes: agents on other hosts
 * (source/agents/, over Redis) or worker processes (source/workers/, over IPC). Each remote
 * process tallies its own clients (a BroadcastTally on its store, by local id); the controller
 * alone publishes, once every remote reports its clients subscribed, and tells the remotes when
 * each broadcast went out (its clock, relative to the run's start), so each tally knows who was
 * expected to get what. The remotes' tallies travel with their metrics (cumulative: the last one
 * wins) and are added up here into the one broadcast block: sums, and per broadcast the slowest
 * remote's fan-out.
 */
export type RemoteTallyState = {
	subscribed: number;
	published: number;
	owed: number;
	/** once a second and in the final message: the tally so far, latency as an encoded histogram (cumulative) */
	result?: Omit<BroadcastTallyResult, 'latencyMs' | 'fanoutMs'>;
	latency?: WireHistogram | null;
	/**
	 * a full state added up from other remotes' (an agent's worker processes): how old (ms) the
	 * oldest of those was when this one was sent; a time span, not a time, so no clock is compared
	 */
	ageMs?: number;
	/** on the receiver: when (epoch ms, its clock) the last full state was taken */
	fullAt?: number;
};

/** What a remote process does with its tally: learn the publish times, report its state. */
export type RemoteTally = {
	published(seq: number, at: number): void;
	state(full: boolean): RemoteTallyState;
};

/** The remote's side: its tally, fed the controller's publish times. */
export function createRemoteTally(config: BroadcastConfig, clients: number, store: MetricsStore): RemoteTally {
	const tally = new BroadcastTally(config.runId, config.count, clients);
	store.trackBroadcast(tally);
	return {
		published(seq: number, at: number) {
			tally.publishing(seq, at);
		},
		state(full: boolean): RemoteTallyState {
			const progress = {subscribed: tally.subscribed, published: tally.published, owed: tally.owed};
			if (!full) {
				return progress;
			}

			const {latencyMs: _latency, fanoutMs: _fanout, ...result} = tally.result();
			return {...progress, result, latency: toWire(tally.latency)};
		},
	};
}

function toWire(histogram: DurationHistogram): WireHistogram | null {
	const {minMs, maxMs} = histogram;
	return histogram.count === 0 || minMs === undefined || maxMs === undefined ? null : {hdr: histogram.encode(), minMs, maxMs};
}

export type RemoteBroadcastView = {
	/** the remotes still running, with their last broadcast state */
	live(): RemoteTallyState[];
	/** every remote's last full state (a lost remote's last numbers stay) */
	all(): RemoteTallyState[];
	/** tell every remote broadcast `seq` went out at `at` ms of the run */
	published(seq: number, at: number): void;
};

/** A remote's state as it arrives: a full one replaces the last (and is stamped with when it was taken), progress updates it. */
export function nextTallyState(last: RemoteTallyState, incoming: RemoteTallyState): RemoteTallyState {
	return incoming.result ? {...incoming, fullAt: Date.now() - (incoming.ageMs ?? 0)} : {...last, ...incoming};
}

/**
 * A remote made of remotes: an agent whose share runs in its own worker processes. It passes the
 * controller's publish times on to them and reports their tallies added up (addTallies' sums) as
 * one tally, exactly as if one process had held the share: progress from the running ones, the
 * full state from all (a lost worker's last numbers stay), as old as the oldest it is made of.
 */
export function createTallyOfRemotes(count: number, remotes: RemoteBroadcastView): RemoteTally {
	const publishedAt = new Float64Array(count + 1).fill(-1);
	let published = 0;
	return {
		published(seq, at) {
			if (seq >= 1 && seq <= count && publishedAt[seq] === -1) {
				publishedAt[seq] = at;
				published++;
			}

			remotes.published(seq, at);
		},
		state(full) {
			const live = remotes.live();
			const progress = {
				subscribed: live.reduce((sum, state) => sum + state.subscribed, 0),
				// A broadcast is out to the share once every process has it.
				published: live.length === 0 ? published : Math.min(...live.map(state => state.published)),
				owed: live.reduce((sum, state) => sum + state.owed, 0),
			};
			if (!full) {
				return progress;
			}

			const {result, latency} = sumTallies(remotes.all(), publishedAt);
			const now = Date.now();
			// A running worker with no full state yet: this one is as old as the run.
			const ageMs = Math.max(0, ...live.map(state => now - (state.fullAt ?? 0)));
			return {...progress, result, latency: toWire(latency), ageMs};
		},
	};
}

/** What the controller's log lines call the remotes: `on the agents`, `on every agent`; empty for workers (read as one process). */
export type RemoteWording = {on: string; every: string};

const pollMs = 25;
/**
 * longest wait for the remotes' full tallies after the drain: agents send them once a second, and
 * an agent with worker processes adds up theirs, themselves up to a second old (ageMs)
 */
const fullWaitMs = 5000;
/** a full tally merged this soon after the drain may have been sent before it */
const tickSlackMs = 300;

/** The controller's side: settle on the remotes' subscribed counts, publish, drain, add up. */
export function createRemoteBroadcastRun({config, clients, store, stop, timeoutMs, log, deps, remotes, wording}: BroadcastRunOptions & {
	remotes: RemoteBroadcastView;
	wording: RemoteWording;
}): Pick<BroadcastRun, 'drive' | 'summary'> & {progress(): BroadcastProgress} {
	let openAtStart = 0;
	let settledMs = 0;
	const publishedAt = new Float64Array(config.count + 1).fill(-1);
	let published = 0;
	const subscribed = () => remotes.live().reduce((sum, state) => sum + state.subscribed, 0);
	const mark = (seq: number, at: number) => {
		if (seq >= 1 && seq <= config.count && publishedAt[seq] === -1) {
			publishedAt[seq] = at;
			published++;
			remotes.published(seq, at);
		}
	};

	async function drive(): Promise<void> {
		const settleEnd = store.elapsed() + config.settleMs;
		while (!stop.aborted && subscribed() < clients && store.elapsed() < settleEnd) {
			await sleep(pollMs, stop);
		}

		if (stop.aborted) {
			return;
		}

		openAtStart = subscribed();
		settledMs = store.elapsed();
		log(openAtStart < clients ? 'warn' : 'info', openAtStart < clients
			? `--settle ${formatDuration(config.settleMs)} ran out with ${openAtStart} of ${clients} clients subscribed${wording.on}; publishing anyway`
			: `all ${clients} clients subscribed${wording.on} after ${formatDuration(settledMs)}; publishing ${config.count} messages${config.rate > 0 ? ` at ${config.rate}/s` : ''} (run ${config.runId})`);
		await publishNumbered(deps, config, {timeoutMs, stop}, (seq, agoMs) => {
			mark(seq, store.elapsed() - agoMs);
		});

		const done = () => remotes.live().every(state => state.published >= published && state.owed === 0);
		const drainEnd = store.elapsed() + config.drainMs;
		while (!stop.aborted && store.elapsed() < drainEnd && !done()) {
			await sleep(pollMs, stop);
		}

		log('info', `published ${published} messages; ${done() ? `every expected delivery arrived${wording.every}` : `drained for ${formatDuration(config.drainMs)}`}`);
		// The full tallies travel on a timer: the summary waits for one from each remote taken after
		// the drain, unless the one it has is final already (every broadcast in, nothing missing).
		const drained = Date.now();
		const settled = (state: RemoteTallyState) => (state.fullAt ?? 0) >= drained + tickSlackMs || (state.result !== undefined && state.result.published >= published && state.result.missing.total === 0);
		while (!stop.aborted && Date.now() < drained + fullWaitMs && !remotes.live().every(settled)) {
			await sleep(pollMs, stop);
		}
	}

	return {
		drive,
		progress() {
			const live = remotes.live();
			return {published, requested: config.count, subscribed: live.reduce((sum, state) => sum + state.subscribed, 0), owed: live.reduce((sum, state) => sum + state.owed, 0)};
		},
		summary(): BroadcastSummary {
			return {...summaryHead(config, openAtStart, settledMs), ...addTallies(remotes.all(), published, publishedAt)};
		},
	};
}

/** The remotes' tallies as one: sums, the lowest client ratio, lists merged by seq, latency histograms added. */
export function addTallies(states: RemoteTallyState[], published: number, publishedAt: Float64Array): Omit<BroadcastSummary, keyof ReturnType<typeof summaryHead>> {
	const {result: {foreign: _foreign, ...result}, latency, fanout} = sumTallies(states, publishedAt);
	return {...result, published, latencyMs: latency.summary() ?? null, fanoutMs: fanout.summary() ?? null};
}

type RemoteResult = NonNullable<RemoteTallyState['result']>;

/** The remotes' full tallies added up into one, with the histograms the summary (or a parent's state) is made of. */
function sumTallies(states: RemoteTallyState[], publishedAt: Float64Array): {result: RemoteResult; latency: DurationHistogram; fanout: DurationHistogram} {
	let expected = 0;
	let received = 0;
	let complete = 0;
	let incomplete = 0;
	let minRatio: number | null = null;
	let missingTotal = 0;
	let duplicateTotal = 0;
	let foreign = 0;
	/** the lowest: a broadcast is out to them all once each has it */
	let published = Number.POSITIVE_INFINITY;
	const missing = new Map<number, number>();
	const duplicates = new Map<number, number>();
	const perSeq = new Map<number, {expected: number; received: number; fanoutMs: number | null}>();
	const latency = new DurationHistogram();
	for (const state of states) {
		const {result} = state;
		if (result === undefined) {
			published = 0;
			continue;
		}

		expected += result.expected;
		received += result.received;
		complete += result.clientsComplete;
		incomplete += result.clientsIncomplete;
		foreign += result.foreign;
		published = Math.min(published, result.published);
		if (result.minClientRatio !== null) {
			minRatio = minRatio === null ? result.minClientRatio : Math.min(minRatio, result.minClientRatio);
		}

		missingTotal += result.missing.total;
		duplicateTotal += result.duplicates.total;
		for (const {seq, clients} of result.missing.seqs) {
			missing.set(seq, (missing.get(seq) ?? 0) + clients);
		}

		for (const {seq, count} of result.duplicates.seqs) {
			duplicates.set(seq, (duplicates.get(seq) ?? 0) + count);
		}

		for (const entry of result.broadcasts) {
			const sum = perSeq.get(entry.seq) ?? {expected: 0, received: 0, fanoutMs: null};
			sum.expected += entry.expected;
			sum.received += entry.received;
			// The last client anywhere: the slowest remote's fanout is the broadcast's.
			sum.fanoutMs = entry.fanoutMs === null ? sum.fanoutMs : Math.max(sum.fanoutMs ?? 0, entry.fanoutMs);
			perSeq.set(entry.seq, sum);
		}

		if (state.latency) {
			latency.addEncoded(state.latency.hdr, state.latency.minMs, state.latency.maxMs);
		}
	}

	const fanout = new DurationHistogram();
	const broadcasts = [...perSeq.entries()].sort(([a], [b]) => a - b).slice(0, listedBroadcasts).map(([seq, sum]) => {
		if (sum.fanoutMs !== null) {
			fanout.record(sum.fanoutMs);
		}

		const at = publishedAt[seq] ?? -1;
		return {seq, at: at === -1 ? -1 : Math.round(at * 10) / 10, ...sum};
	});
	const listed = (map: Map<number, number>) => [...map.entries()].sort(([a], [b]) => a - b).slice(0, listedSeqs);
	const result: RemoteResult = {
		published: Number.isFinite(published) ? published : 0,
		expected,
		received,
		ratio: expected === 0 ? null : received / expected,
		clientsComplete: complete,
		clientsIncomplete: incomplete,
		minClientRatio: minRatio,
		missing: {total: missingTotal, seqs: listed(missing).map(([seq, clients]) => ({seq, clients}))},
		duplicates: {total: duplicateTotal, seqs: listed(duplicates).map(([seq, count]) => ({seq, count}))},
		broadcasts,
		foreign,
	};
	return {result, latency, fanout};
}
