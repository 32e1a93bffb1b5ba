import type {BufferStats} from '../engine/buffer-budget.js';
import {clientStates, type ClientState, type ErrorKind} from '../engine/types.js';
import {columnNames, type Column} from './columns.js';
import type {DeliverySummary, Snapshot, TransportCounts} from './snapshot.js';
import type {MetricsStore} from './store.js';
import {drain, type WireHistogram} from './wire-histogram.js';
import {streamsToWire, type WireStreams} from './wire-streams.js';

export type {WireHistogram} from './wire-histogram.js';
export type {WireStreams} from './wire-streams.js';

/**
 * The merge protocol: what one producer of metrics (a worker process today, an agent on another
 * host later) tells the one store that the dashboard and the reporters read. Plain
 * JSON-serialisable objects, nothing about the transport (IPC, Redis Streams).
 *
 * Version 1, one message per producer tick (250 ms for workers), in order per `source`:
 * - `v`: 1. A store refuses any other version (WireVersionError).
 * - `source`: the producer's name, unique in the run; `seq`: 1, 2, 3... per source.
 * - `final`: the producer's last message (its clients are closed).
 * - `highestId`: the highest global client id the source holds; `active`: its clients started or
 *   waiting to start.
 * - `states`, `totals`, `errorsByKind`, `delivery`: CUMULATIVE for the source (the receiver keeps
 *   the last one per source and adds the difference), so a repeated message changes nothing.
 * - `histograms.{connect,latency,reconnect}`: what was recorded SINCE the source's previous
 *   message (delta), as hdr-histogram-js compressed base64 (`hdr`) and the extremes (`minMs`,
 *   `maxMs`, which the encoding blurs to bucket edges); null when nothing was recorded.
 * - `rows`: per-client rows by GLOBAL client id, columnar: `ids`, `state` (index into
 *   clientStates: idle connecting open reconnecting closed failed), one array per numeric
 *   column (see columns.ts), `lastEventId`, `lastError`. Only rows that changed since the rows
 *   last sent, and only every `rowsEvery`-th message (and in the final one); null otherwise.
 * - `buffered` (optional): the source's partial-data budget, cumulative.
 * - `streams` (optional, request streams only; wire-streams.ts): `requests` and `outcomes`
 *   cumulative, the per-stream histograms (headers, ttfe, gap, duration, events, eventRate,
 *   byteRate) deltas, encoded as above.
 * - `transport` (optional, the undici transport only): its `connections` and `streams`, cumulative.
 * The optional fields were added within version 1: a receiver that does not know them ignores them.
 */
export const wireVersion = 1;

export type WireRows = {
	ids: number[];
	state: number[];
	columns: Record<Column, number[]>;
	lastEventId: string[];
	lastError: string[];
};

/** DeliverySummary without what is derived from the sums (expected, ratio). */
export type WireDelivery = Omit<DeliverySummary, 'expected' | 'ratio'>;

export type WireMessage = {
	v: number;
	source: string;
	seq: number;
	final: boolean;
	highestId: number;
	active: number;
	states: Record<ClientState, number>;
	totals: Snapshot['totals'];
	errorsByKind: Partial<Record<ErrorKind, number>>;
	delivery: WireDelivery;
	histograms: {connect: WireHistogram | null; latency: WireHistogram | null; reconnect: WireHistogram | null};
	rows: WireRows | null;
	/** the source's partial-data budget: its peak and budget (bytes) and the clients failed over it, cumulative */
	buffered?: BufferStats;
	/** request streams (--method, --body, …): counts cumulative, histograms deltas */
	streams?: WireStreams;
	/** the undici transport (--proxy, --http2, --compressed): connections opened and streams carried, cumulative */
	transport?: TransportCounts;
};

export class WireVersionError extends Error {
	constructor(version: unknown) {
		super(`metrics message version ${String(version)} is not supported (this sse-tui speaks version ${wireVersion}): run the same sse-tui version everywhere`);
	}
}

export function checkWire(message: WireMessage): void {
	if (message.v !== wireVersion) {
		throw new WireVersionError(message.v);
	}
}

export function deliveryToWire(summary: DeliverySummary): WireDelivery {
	const {expected: _expected, ratio: _ratio, ...rest} = summary;
	return {...rest, sources: {...rest.sources}, reconnects: {...rest.reconnects}};
}

export function emptyWireDelivery(): WireDelivery {
	return {accountedClients: 0, unaccountedClients: 0, sources: {seq: 0, field: 0, id: 0, streamId: 0}, received: 0, gaps: 0, duplicates: 0, outOfOrder: 0, resets: 0, unsequenced: 0, reconnects: {resumed: 0, notResumed: 0}, foreign: 0};
}

/** `target += sign * part`, field by field. */
export function addDelivery(target: WireDelivery, part: WireDelivery, sign: 1 | -1): void {
	for (const key of ['accountedClients', 'unaccountedClients', 'received', 'gaps', 'duplicates', 'outOfOrder', 'resets', 'unsequenced', 'foreign'] as const) {
		target[key] += sign * part[key];
	}

	for (const key of ['seq', 'field', 'id', 'streamId'] as const) {
		target.sources[key] += sign * part.sources[key];
	}

	target.reconnects.resumed += sign * part.reconnects.resumed;
	target.reconnects.notResumed += sign * part.reconnects.notResumed;
}

/** The summary block from summed parts, as DeliveryTracker.summary derives it. */
export function deliveryFromWire(sum: WireDelivery): DeliverySummary {
	const expected = sum.accountedClients === 0 ? null : sum.received + sum.gaps;
	return {
		...sum,
		sources: {...sum.sources},
		reconnects: {...sum.reconnects},
		expected,
		ratio: expected === null || expected === 0 ? null : sum.received / expected,
	};
}

export type ProducerOptions = {
	source: string;
	/** the global id of local client `local` (a worker's store counts its own clients from 1) */
	globalId(local: number): number;
	/** send rows every this many messages (1 = every message) */
	rowsEvery?: number;
	/** at most this many rows per message but the final one (a bounded sample: an agent's stream over Redis); the next picks up where it stopped */
	maxRows?: number;
};

/**
 * Turns a producer's own store into wire messages. The store's histograms are DRAINED on each
 * message (encoded, then reset): a producing store is read by nobody else, and a delta then
 * costs one encode instead of a copy and a subtraction.
 */
export class WireProducer {
	readonly #store: MetricsStore;
	readonly #source: string;
	readonly #globalId: (local: number) => number;
	readonly #rowsEvery: number;
	readonly #maxRows: number;
	/** where the next bounded walk of the rows starts */
	#cursor = 1;
	#seq = 0;
	/** the rows as last sent, to send only those that changed; NaN / 255 = never sent */
	#sentCount = 0;
	#sentState = new Uint8Array(0);
	#sentColumns = {} as Record<Column, Float64Array>;
	#sentEventId: Array<string | undefined> = [];
	#sentError: Array<string | undefined> = [];

	constructor(store: MetricsStore, {source, globalId, rowsEvery = 4, maxRows = Number.POSITIVE_INFINITY}: ProducerOptions) {
		this.#store = store;
		this.#maxRows = maxRows;
		this.#source = source;
		this.#globalId = globalId;
		this.#rowsEvery = rowsEvery;
		for (const name of columnNames) {
			this.#sentColumns[name] = new Float64Array(0);
		}
	}

	/** The next message; `final` includes the rows whatever the tick. `active`: the pool's size. */
	next({active, final = false}: {active: number; final?: boolean}): WireMessage {
		this.#seq++;
		const store = this.#store;
		const snapshot = store.snapshot();
		const table = store.rowTable();
		// The parent hands out global ids in increasing order, so the last local id holds the highest.
		const highestId = table.count === 0 ? 0 : this.#globalId(table.count);
		const streams = store.streamStats;
		return {
			v: wireVersion,
			source: this.#source,
			seq: this.#seq,
			final,
			highestId,
			active,
			states: {...snapshot.states},
			totals: {...snapshot.totals},
			errorsByKind: {...snapshot.errorsByKind},
			delivery: deliveryToWire(snapshot.delivery),
			histograms: {
				connect: drain(store.connectHistogram),
				latency: drain(store.latencyHistogram),
				reconnect: drain(store.reconnectHistogram),
			},
			rows: final || (this.#seq - 1) % this.#rowsEvery === 0 ? this.#changedRows(final ? Number.POSITIVE_INFINITY : this.#maxRows) : null,
			...(streams === undefined ? {} : {streams: streamsToWire(streams)}),
			...(snapshot.transport === undefined ? {} : {transport: {...snapshot.transport}}),
		};
	}

	#changedRows(limit: number): WireRows {
		const table = this.#store.rowTable();
		this.#grow(table.count);
		const rows: WireRows = {ids: [], state: [], columns: {} as Record<Column, number[]>, lastEventId: [], lastError: []};
		for (const name of columnNames) {
			rows.columns[name] = [];
		}

		// Columns as arrays by index: a property lookup by name per cell was most of the cost.
		const current = columnNames.map(name => table.columns[name]);
		const sent = columnNames.map(name => this.#sentColumns[name]);
		const out = columnNames.map(name => rows.columns[name]);
		const width = columnNames.length;
		const start = this.#cursor > table.count ? 1 : this.#cursor;
		for (let step = 0; step < table.count && rows.ids.length < limit; step++) {
			const id = ((start - 1 + step) % table.count) + 1;
			this.#cursor = id + 1;
			let changed = table.state[id] !== this.#sentState[id]
				|| table.lastEventId[id] !== this.#sentEventId[id]
				|| table.lastError[id] !== this.#sentError[id];
			for (let index = 0; !changed && index < width; index++) {
				// NaN (never sent) differs from everything.
				changed = current[index]![id] !== sent[index]![id];
			}

			if (!changed) {
				continue;
			}

			rows.ids.push(this.#globalId(id));
			rows.state.push(table.state[id]!);
			this.#sentState[id] = table.state[id]!;
			for (let index = 0; index < width; index++) {
				const value = current[index]![id]!;
				out[index]!.push(value);
				sent[index]![id] = value;
			}

			rows.lastEventId.push(table.lastEventId[id] ?? '');
			rows.lastError.push(table.lastError[id] ?? '');
			this.#sentEventId[id] = table.lastEventId[id];
			this.#sentError[id] = table.lastError[id];
		}

		return rows;
	}

	#grow(count: number): void {
		if (count < this.#sentCount) {
			return;
		}

		const capacity = Math.max(64, count * 2);
		const state = new Uint8Array(capacity).fill(255);
		state.set(this.#sentState);
		this.#sentState = state;
		for (const name of columnNames) {
			const column = new Float64Array(capacity).fill(Number.NaN);
			column.set(this.#sentColumns[name]);
			this.#sentColumns[name] = column;
		}

		this.#sentCount = capacity;
	}
}

/** The state index of a name, for building rows by hand (a lost worker's clients). */
export function stateIndexOf(state: ClientState): number {
	return clientStates.indexOf(state);
}
