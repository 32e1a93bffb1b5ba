import type {BufferStats} from '../engine/buffer-budget.js';
import {clientStates, type ErrorKind} from '../engine/types.js';
import {columnNames, type Column} from './columns.js';
import type {DurationHistogram} from './histogram.js';
import type {Snapshot, TransportCounts} from './snapshot.js';
import type {StreamStats} from './streams.js';
import {addDelivery, checkWire, emptyWireDelivery, type WireDelivery, type WireMessage} from './wire.js';
import {mergeStreams, streamCounts} from './wire-streams.js';

/** The parts of a MetricsStore that merged messages write into (its own objects, not copies). */
export type MergeTarget = {
	readonly totals: Snapshot['totals'];
	readonly errorsByKind: Partial<Record<ErrorKind, number>>;
	/** per state of clientStates */
	readonly stateCounts: Float64Array;
	readonly connectHistogram: DurationHistogram;
	/** latencies not yet added into the run's histogram */
	readonly latencyPending: DurationHistogram;
	readonly reconnectHistogram: DurationHistogram;
	/** the highest client id so far */
	clients(): number;
	/** room for ids up to `id`, the new slots not counted as idle (the sources' state counts count them) */
	grow(id: number): void;
	/** the per-client arrays, as they are after any grow, to write rows into */
	table(): {state: Uint8Array; columns: Record<Column, Float64Array>; lastEventId: Array<string | undefined>; lastError: Array<string | undefined>};
	/** the request streams' stats, when the run has request streams */
	streams(): StreamStats | undefined;
};

/**
 * What a store fed by workers or agents keeps of them: the last cumulative part of each source
 * (histograms and rows dropped), and the sum of their delivery accounting.
 */
export class MergedSources {
	readonly #sources = new Map<string, WireMessage>();
	#delivery: WireDelivery | undefined;

	/** The sources' delivery accounting added up; undefined until something is merged. */
	get delivery(): WireDelivery | undefined {
		return this.#delivery;
	}

	/**
	 * Apply one wire message (source/metrics/wire.ts) from a worker or an agent: cumulative parts
	 * add their difference from the source's previous message, histogram deltas add, rows land at
	 * their global ids.
	 */
	merge(message: WireMessage, target: MergeTarget): void {
		checkWire(message);
		const previous = this.#sources.get(message.source);
		if (previous !== undefined && message.seq <= previous.seq) {
			return; // a repeat: cumulative parts are already in, and the deltas must not add twice
		}

		for (const key of Object.keys(message.totals) as Array<keyof Snapshot['totals']>) {
			target.totals[key] += message.totals[key] - (previous?.totals[key] ?? 0);
		}

		const kinds = new Set([...Object.keys(message.errorsByKind), ...Object.keys(previous?.errorsByKind ?? {})] as ErrorKind[]);
		for (const kind of kinds) {
			const next = (target.errorsByKind[kind] ?? 0) + (message.errorsByKind[kind] ?? 0) - (previous?.errorsByKind[kind] ?? 0);
			target.errorsByKind[kind] = next;
		}

		this.#delivery ??= emptyWireDelivery();
		addDelivery(this.#delivery, message.delivery, 1);
		if (previous !== undefined) {
			addDelivery(this.#delivery, previous.delivery, -1);
		}

		if (message.highestId > target.clients()) {
			target.grow(message.highestId);
		}

		// State counts come from the sources' counts, not from rows (rows travel less often).
		for (const [index, state] of clientStates.entries()) {
			target.stateCounts[index]! += message.states[state] - (previous?.states[state] ?? 0);
		}

		const streams = target.streams();
		if (message.streams && streams) {
			mergeStreams(streams, message.streams, previous?.streams);
		}

		const {connect, latency, reconnect} = message.histograms;
		if (connect) {
			target.connectHistogram.addEncoded(connect.hdr, connect.minMs, connect.maxMs);
		}

		if (latency) {
			target.latencyPending.addEncoded(latency.hdr, latency.minMs, latency.maxMs);
		}

		if (reconnect) {
			target.reconnectHistogram.addEncoded(reconnect.hdr, reconnect.minMs, reconnect.maxMs);
		}

		const {rows} = message;
		if (rows) {
			const highest = rows.ids.reduce((most, id) => Math.max(most, id), 0);
			if (highest > target.clients()) {
				target.grow(highest);
			}

			// Columns as arrays by index: a property lookup by name per cell was most of the cost.
			const {state, lastEventId, lastError, ...table} = target.table();
			const columns = columnNames.map(name => table.columns[name]);
			const source = columnNames.map(name => rows.columns[name]);
			for (const [index, id] of rows.ids.entries()) {
				state[id] = rows.state[index]!;
				for (let column = 0; column < columns.length; column++) {
					columns[column]![id] = source[column]![index]!;
				}

				lastEventId[id] = rows.lastEventId[index]!;
				lastError[id] = rows.lastError[index]!;
			}
		}

		this.#sources.set(message.source, {...message, histograms: {connect: null, latency: null, reconnect: null}, rows: null, ...(message.streams && {streams: streamCounts(message.streams)})});
	}

	/** The partial-data budgets of the merged sources added up (each process has its own); null: none merged. */
	buffered(): BufferStats | null {
		let sum: BufferStats | null = null;
		for (const {buffered} of this.#sources.values()) {
			if (buffered !== undefined) {
				sum ??= {peakBytes: 0, budgetBytes: 0, overBudget: 0};
				sum.peakBytes += buffered.peakBytes;
				sum.budgetBytes += buffered.budgetBytes;
				sum.overBudget += buffered.overBudget;
			}
		}

		return sum;
	}

	/** The undici transports' counts of the merged sources added up (each worker has its own). */
	transport(): TransportCounts {
		const sum = {connections: 0, streams: 0};
		for (const {transport} of this.#sources.values()) {
			sum.connections += transport?.connections ?? 0;
			sum.streams += transport?.streams ?? 0;
		}

		return sum;
	}

	/** The last message merged from `source`, histograms and rows left out. */
	last(source: string): WireMessage | undefined {
		return this.#sources.get(source);
	}
}
