import {publishNumbered, type BroadcastDeps, type BroadcastRun} from '../broadcast.js';
import type {BroadcastConfig} from '../config-delivery.js';
import {BroadcastTally, listedBroadcasts, listedSeqs, type BroadcastTallyResult} from '../metrics/broadcast-tally.js';
import {DurationHistogram} from '../metrics/histogram.js';
import type {MetricsStore} from '../metrics/store.js';
import type {WireHistogram} from '../metrics/wire.js';
import type {BroadcastSummary} from '../reporters/summary.js';
import {formatDuration} from '../units.js';
import {sleep} from '../engine/backoff.js';

/**
 * The broadcast scenario over agents. Each agent tallies its own clients (a BroadcastTally on
 * its store, by local id); the controller alone publishes, once every agent reports its clients
 * subscribed, and tells the agents on the command stream when each broadcast went out (its
 * clock, relative to the run's start), so each tally knows who was expected to get what.
 * The agents' tallies travel in their envelopes (cumulative: the last one wins) and are added
 * up here into the one broadcast block.
 */
export type AgentBroadcastState = {
	subscribed: number;
	published: number;
	owed: number;
	/** once a second and in the final message: the tally so far, latency as an encoded histogram (cumulative) */
	result?: Omit<BroadcastTallyResult, 'latencyMs' | 'fanoutMs'>;
	latency?: WireHistogram | null;
	/** on the controller: when (epoch ms) the last full state arrived */
	fullAt?: number;
};

/** The agent's side: its tally, fed the controller's publish times. */
export function createAgentTally(config: BroadcastConfig, clients: number, store: MetricsStore) {
	const tally = new BroadcastTally(config.runId, config.count, clients);
	store.trackBroadcast(tally);
	return {
		published(seq: number, at: number) {
			tally.publishing(seq, at);
		},
		state(full: boolean): AgentBroadcastState {
			const progress = {subscribed: tally.subscribed, published: tally.published, owed: tally.owed};
			if (!full) {
				return progress;
			}

			const {latencyMs: _latency, fanoutMs: _fanout, ...result} = tally.result();
			const {minMs, maxMs} = tally.latency;
			const latency = tally.latency.count === 0 || minMs === undefined || maxMs === undefined ? null : {hdr: tally.latency.encode(), minMs, maxMs};
			return {...progress, result, latency};
		},
	};
}

export type AgentBroadcastView = {
	/** the agents still running, with their last broadcast state */
	live(): AgentBroadcastState[];
	/** every agent's last full state (a lost agent's last numbers stay) */
	all(): AgentBroadcastState[];
	/** tell every agent broadcast `seq` went out at `at` ms of the run */
	published(seq: number, at: number): void;
};

const pollMs = 25;
/** longest wait for the agents' full tallies after the drain (they come once a second) */
const fullWaitMs = 3000;
/** a full tally merged this soon after the drain may have been sent before it */
const tickSlackMs = 300;

/** The controller's side: settle on the agents' subscribed counts, publish, drain, add up. */
export function createAgentsBroadcastRun({config, clients, store, stop, timeoutMs, log, deps, agents}: {
	config: BroadcastConfig;
	clients: number;
	store: MetricsStore;
	stop: AbortSignal;
	timeoutMs: number;
	log(level: 'info' | 'warn', text: string): void;
	deps: BroadcastDeps;
	agents: AgentBroadcastView;
}): Pick<BroadcastRun, 'drive' | 'summary'> {
	let openAtStart = 0;
	let settledMs = 0;
	const publishedAt = new Float64Array(config.count + 1).fill(-1);
	let published = 0;
	const subscribed = () => agents.live().reduce((sum, state) => sum + state.subscribed, 0);
	const mark = (seq: number, at: number) => {
		if (seq >= 1 && seq <= config.count && publishedAt[seq] === -1) {
			publishedAt[seq] = at;
			published++;
			agents.published(seq, at);
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
			? `--settle ${formatDuration(config.settleMs)} ran out with ${openAtStart} of ${clients} clients subscribed on the agents; publishing anyway`
			: `all ${clients} clients subscribed on the agents after ${formatDuration(settledMs)}; publishing ${config.count} messages${config.rate > 0 ? ` at ${config.rate}/s` : ''} (run ${config.runId})`);
		await publishNumbered(deps, config, {timeoutMs, stop}, (seq, agoMs) => {
			mark(seq, store.elapsed() - agoMs);
		});

		const done = () => agents.live().every(state => state.published >= published && state.owed === 0);
		const drainEnd = store.elapsed() + config.drainMs;
		while (!stop.aborted && store.elapsed() < drainEnd && !done()) {
			await sleep(pollMs, stop);
		}

		log('info', `published ${published} messages; ${done() ? 'every expected delivery arrived on every agent' : `drained for ${formatDuration(config.drainMs)}`}`);
		// The full tallies travel once a second: the summary waits for one from each agent sent after the drain.
		const drained = Date.now();
		while (!stop.aborted && Date.now() < drained + fullWaitMs && agents.live().some(state => (state.fullAt ?? 0) < drained + tickSlackMs)) {
			await sleep(pollMs, stop);
		}
	}

	return {
		drive,
		summary(): BroadcastSummary {
			return {
				runId: config.runId,
				via: config.target.kind,
				target: config.target.kind === 'redis' ? config.target.channel : config.target.url,
				requested: config.count,
				rate: config.rate,
				openAtStart,
				settledMs: Math.round(settledMs),
				drainMs: config.drainMs,
				...addTallies(agents.all(), published, publishedAt),
			};
		},
	};
}

/** The agents' tallies as one: sums, the lowest client ratio, lists merged by seq, latency histograms added. */
export function addTallies(states: AgentBroadcastState[], published: number, publishedAt: Float64Array): Omit<BroadcastSummary, 'runId' | 'via' | 'target' | 'requested' | 'rate' | 'openAtStart' | 'settledMs' | 'drainMs'> {
	let expected = 0;
	let received = 0;
	let complete = 0;
	let incomplete = 0;
	let minRatio: number | null = null;
	let missingTotal = 0;
	let duplicateTotal = 0;
	const missing = new Map<number, number>();
	const duplicates = new Map<number, number>();
	const perSeq = new Map<number, {expected: number; received: number; fanoutMs: number | null}>();
	const latency = new DurationHistogram();
	for (const state of states) {
		const {result} = state;
		if (result === undefined) {
			continue;
		}

		expected += result.expected;
		received += result.received;
		complete += result.clientsComplete;
		incomplete += result.clientsIncomplete;
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
			// The last client on any agent: the slowest agent's fanout is the broadcast's.
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
	return {
		published,
		expected,
		received,
		ratio: expected === 0 ? null : received / expected,
		clientsComplete: complete,
		clientsIncomplete: incomplete,
		minClientRatio: minRatio,
		missing: {total: missingTotal, seqs: listed(missing).map(([seq, clients]) => ({seq, clients}))},
		duplicates: {total: duplicateTotal, seqs: listed(duplicates).map(([seq, count]) => ({seq, count}))},
		broadcasts,
		latencyMs: latency.summary() ?? null,
		fanoutMs: fanout.summary() ?? null,
	};
}
