import type {BufferStats} from '../engine/buffer-budget.js';
import {clientStates, type ClientEvent, type ClientSink, type ClientState, type ErrorKind} from '../engine/types.js';
import type {BroadcastTally} from './broadcast-tally.js';
import {Accounting, type AccountingOptions} from './accounting.js';
import {columnNames, createColumns} from './columns.js';
import {DurationHistogram} from './histogram.js';
import {Timeline} from './timeline.js';
import {RateSampler} from './rates.js';
import {emptyRow, fillRow, readRows, type RowTable} from './row-table.js';
import {StreamStats} from './streams.js';
import type {ServerViewNow} from '../watch/types.js';
import type {BroadcastProgress, ClientRow, ShapeStatus, Snapshot, TransportCounts} from './snapshot.js';
import {addDelivery, checkWire, deliveryFromWire, emptyWireDelivery, type WireDelivery, type WireMessage} from './wire.js';
import {mergeStreams, streamCounts} from './wire-streams.js';

const stateIndex = new Map<ClientState, number>(clientStates.map((state, index) => [state, index]));

export type StoreOptions = AccountingOptions & {
	now?: () => number;
	/** the run's start on the `now` clock, when not now (a worker process shares its parent's clock) */
	startedAt?: number;
	/** ActionCable clients are subscribed once confirmed, not when the socket opens */
	subscribeOn?: 'open' | 'confirm';
	/**
	 * Request streams (source/metrics/streams.ts): measured per stream. `renumbered`: each request
	 * numbers its events afresh (--then repeat or stop), so delivery accounting starts over per stream.
	 */
	streams?: {renumbered: boolean} | undefined;
	/** connections and streams of the undici transport, when the run uses it */
	transportCounts?: (() => {connections: number; streams: number}) | undefined;
};

/**
 * Counters per client in typed arrays indexed by client id (ids start at 1), so recording an
 * event is a few array writes and nothing is allocated per message. Readers take a snapshot;
 * `subscribe`/`getSnapshot` publish one per tick for the TUI (useSyncExternalStore-shaped).
 */
export class MetricsStore implements ClientSink {
	readonly connectHistogram = new DurationHistogram();
	/** every latency so far, less those still pending */
	readonly latencyHistogram = new DurationHistogram();
	/**
	 * Latencies are recorded once, here, and added into the run's histogram and the current
	 * second's (for the timeline) when a snapshot or a sample is taken: one record per message
	 * instead of two.
	 */
	readonly #latencyPending = new DurationHistogram();
	readonly #latencySecond = new DurationHistogram();
	/** from a drop (the reconnect) to the next open */
	readonly reconnectHistogram = new DurationHistogram();
	readonly #accounting: Accounting;
	readonly #subscribeOn: 'open' | 'confirm';
	readonly #timeline = new Timeline();
	/** run time of each client's last drop, -1 while none is pending */
	#droppedAt = new Float64Array(0);

	#capacity = 0;
	#clients = 0;
	#state = new Uint8Array(0);
	/** 1 while a connection attempt is under way and has not opened or failed yet */
	#pendingAttempt = new Uint8Array(0);
	#columns = createColumns(0);
	#lastEventId: string[] = [];
	#lastError: string[] = [];
	readonly #streams: StreamStats | undefined;
	readonly #renumbered: boolean;
	readonly #transportCounts: StoreOptions['transportCounts'];

	readonly #stateCounts = new Float64Array(clientStates.length);
	readonly #totals = {messages: 0, heartbeats: 0, errors: 0, reconnects: 0, connects: 0, failedAttempts: 0, clientsConnected: 0, bytes: 0};
	readonly #errorsByKind: Partial<Record<ErrorKind, number>> = {};
	readonly #rates: RateSampler;

	readonly #startedAt: number;
	readonly #now: () => number;
	readonly #listeners = new Set<() => void>();
	/** merged stores: the last cumulative part of each source (histograms and rows dropped) */
	readonly #sources = new Map<string, WireMessage>();
	#remoteDelivery: WireDelivery | undefined;
	#snapshot: Snapshot | undefined;
	#timer: NodeJS.Timeout | undefined;
	#sampler: NodeJS.Timeout | undefined;
	#serverView: ((elapsedMs: number) => ServerViewNow) | undefined;

	constructor({now = () => performance.now(), startedAt, subscribeOn = 'open', streams, transportCounts, ...accounting}: StoreOptions = {}) {
		this.#now = now;
		this.#streams = streams === undefined ? undefined : new StreamStats(this.#columns);
		this.#renumbered = streams?.renumbered ?? false;
		this.#transportCounts = transportCounts;
		this.#subscribeOn = subscribeOn;
		this.#accounting = new Accounting(accounting);
		this.#startedAt = startedAt ?? now();
		this.#rates = new RateSampler(this.#startedAt);
	}

	/** ms since the store was created: the run's clock, also used for `t` in the event log. */
	elapsed(): number {
		return this.#now() - this.#startedAt;
	}

	#turnTime = -1;
	readonly #forgetTurnTime = () => {
		this.#turnTime = -1;
	};

	/**
	 * The clock read once per event-loop turn: the events parsed from one socket read share a
	 * timestamp, so a read carrying a hundred events costs one clock call, not a hundred.
	 */
	#eventTime(): number {
		if (this.#turnTime < 0) {
			this.#turnTime = this.elapsed();
			queueMicrotask(this.#forgetTurnTime);
		}

		return this.#turnTime;
	}

	emit(event: ClientEvent): void {
		const id = event.client;
		if (id > this.#clients) {
			this.#grow(id);
		}

		switch (event.kind) {
			case 'connecting': {
				this.#pendingAttempt[id] = 1;
				this.#setState(id, event.attempt > 1 && event.fresh !== true ? 'reconnecting' : 'connecting');
				if (this.#streams !== undefined) {
					this.#streams.started(id, this.elapsed());
					if (this.#renumbered) {
						this.#accounting.delivery.newStream(id);
					}
				}

				break;
			}

			case 'open': {
				this.#pendingAttempt[id] = 0;
				if (this.#columns.connects[id] === 0) {
					this.#totals.clientsConnected++;
				}

				this.#columns.connects[id]!++;
				this.#totals.connects++;
				this.#columns.connectMs[id] = event.connectMs;
				this.connectHistogram.record(event.connectMs);
				this.#streams?.opened(event.connectMs);
				this.#setState(id, 'open');
				const droppedAt = this.#droppedAt[id]!;
				if (droppedAt >= 0) {
					this.reconnectHistogram.record(this.elapsed() - droppedAt);
					this.#droppedAt[id] = -1;
				}

				if (this.#subscribeOn === 'open') {
					this.#accounting.broadcast?.subscribe(id, this.elapsed());
				}

				break;
			}

			case 'confirm': {
				if (this.#subscribeOn === 'confirm') {
					this.#accounting.broadcast?.subscribe(id, this.elapsed());
				}

				break;
			}

			case 'event': {
				this.#columns.messages[id]!++;
				this.#totals.messages++;
				this.#streams?.event(id, this.#eventTime(), this.#columns.lastMessageAt[id]!);
				this.#columns.lastMessageAt[id] = this.#eventTime();
				this.#lastEventId[id] = event.id;
				const latencyMs = this.#accounting.latency(event.data, event.latencyMs);
				if (latencyMs !== undefined) {
					this.#columns.latencyMs[id] = latencyMs;
					this.#latencyPending.record(latencyMs);
				}

				this.#accounting.message(id, event.data, event.id, this.#eventTime(), latencyMs);
				break;
			}

			case 'comment':
			case 'heartbeat': {
				this.#columns.heartbeats[id]!++;
				this.#totals.heartbeats++;
				this.#columns.lastHeartbeatAt[id] = this.#eventTime();
				break;
			}

			case 'error':
			case 'reject': {
				const kind: ErrorKind = event.kind === 'reject' ? 'rejected' : event.error;
				this.#columns.errors[id]!++;
				this.#totals.errors++;
				this.#errorsByKind[kind] = (this.#errorsByKind[kind] ?? 0) + 1;
				this.#lastError[id] = event.kind === 'reject' ? `subscription rejected: ${event.identifier}` : event.message;
				if (this.#pendingAttempt[id] === 1) {
					this.#pendingAttempt[id] = 0;
					this.#totals.failedAttempts++;
				}

				break;
			}

			case 'reconnect': {
				this.#columns.reconnects[id]!++;
				this.#totals.reconnects++;
				this.#setState(id, 'reconnecting');
				this.#accounting.delivery.reconnecting(id, event.lastEventId !== '');
				if (this.#droppedAt[id]! < 0) {
					this.#droppedAt[id] = this.elapsed();
				}

				this.#accounting.broadcast?.unsubscribe(id, this.elapsed());
				break;
			}

			case 'stream': {
				this.#streams?.ended(id, event.outcome, event.events, event.durationMs);
				break;
			}

			case 'close': {
				this.#accounting.broadcast?.unsubscribe(id, this.elapsed());
				if (event.final) {
					this.#setState(id, event.failed ? 'failed' : 'closed');
				}

				break;
			}

			default: {
				break;
			}
		}
	}

	bytes(client: number, count: number): void {
		if (client > this.#clients) {
			this.#grow(client);
		}

		this.#columns.bytes[client]! += count;
		this.#totals.bytes += count;
	}

	/** Register a client slot before it emits anything, so it shows as idle. */
	addClient(id: number): void {
		if (id > this.#clients) {
			this.#grow(id);
		}
	}

	#flushLatency(): void {
		if (this.#latencyPending.count > 0) {
			this.#latencyPending.addTo(this.latencyHistogram);
			this.#latencyPending.addTo(this.#latencySecond);
			this.#latencyPending.reset();
		}
	}

	snapshot(): Snapshot {
		this.#flushLatency();
		const states = {} as Record<ClientState, number>;
		for (const [index, state] of clientStates.entries()) {
			states[state] = this.#stateCounts[index]!;
		}

		return {
			elapsedMs: this.elapsed(),
			clients: this.#clients,
			states,
			totals: {...this.#totals},
			errorsByKind: {...this.#errorsByKind},
			rates: {...this.#rates.rates},
			history: [...this.#rates.history],
			connectMs: this.connectHistogram.summary(),
			latencyMs: this.latencyHistogram.summary(),
			reconnectMs: this.reconnectHistogram.summary(),
			delivery: this.#remoteDelivery ? deliveryFromWire(this.#remoteDelivery) : this.#accounting.summary(this.#clients),
			broadcast: this.#broadcastProgress(),
			server: this.#serverView?.(this.elapsed()),
			shape: this.shapeStatus?.(),
			timeline: this.#timeline.points,
			...(this.#streams === undefined ? {} : {streams: this.#streams.summary()}),
			...(this.#transportCounts === undefined ? {} : {transport: this.#transportCounts()}),
		};
	}

	clientRow(id: number): ClientRow {
		const row = emptyRow(id);
		fillRow(this.rowTable(), row, id);
		return row;
	}

	/** Every client's row, in id order; `reuse` as in readRows (refilled in place, no garbage). */
	clientRows(reuse?: ClientRow[]): ClientRow[] {
		return readRows(this.rowTable(), reuse);
	}

	/** The store's own per-client arrays, read-only by convention; copyRowTable to keep or send them. */
	rowTable(): RowTable {
		return {count: this.#clients, state: this.#state, columns: this.#columns, lastEventId: this.#lastEventId, lastError: this.#lastError};
	}

	/** Take a rate sample and a timeline point; the tick calls this once a second. */
	sample(): void {
		this.#rates.sample(this.#now(), this.#totals);
		this.#flushLatency();
		this.#timeline.sample(this.elapsed(), this.#stateCounts[stateIndex.get('open')!]!, this.#rates.rates.messagesPerSec, this.#totals, this.#latencySecond.summary());
		this.#latencySecond.reset();
	}

	/** Tally the messages of broadcast run `tally.runId` per broadcast; others on the channel are foreign. */
	#broadcastProgress(): Snapshot['broadcast'] {
		const tally = this.#accounting.broadcast;
		if (tally === undefined) {
			return this.remoteBroadcast?.();
		}

		return tally && {published: tally.published, requested: tally.count, subscribed: tally.subscribed, owed: tally.owed};
	}

	/** Clients open now. */
	get openClients(): number {
		return this.#stateCounts[stateIndex.get('open')!]!;
	}

	/** Show the server's side (--watch-redis, --watch-stats) in every snapshot. */
	showServer(view: (elapsedMs: number) => ServerViewNow): void {
		this.#serverView = view;
	}
	/** The load shape's status for each snapshot (source/shapes/driver.ts), when the run has one. */
	shapeStatus: (() => ShapeStatus | undefined) | undefined = undefined;

	/** The broadcast's progress when the tallies live in other processes (workers), for each snapshot. */
	remoteBroadcast: (() => BroadcastProgress) | undefined = undefined;

	trackBroadcast(tally: BroadcastTally): void {
		this.#accounting.trackBroadcast(tally);
	}

	/** Publish a fresh snapshot to subscribers every `intervalMs`. */
	startTicking(intervalMs: number): void {
		this.stopTicking();
		this.#timer = setInterval(() => {
			this.#snapshot = this.#tickSnapshot();
			for (const listener of this.#listeners) {
				listener();
			}
		}, intervalMs);
		this.#timer.unref();
	}

	stopTicking(): void {
		clearInterval(this.#timer);
		this.#timer = undefined;
	}

	/**
	 * Sample rates and the timeline once a second, whatever shows the run (the dashboard, plain
	 * text, --json): the run owns this clock, the presenters only read.
	 */
	startSampling(): void {
		this.stopSampling();
		this.#sampler = setInterval(() => {
			this.sample();
		}, 1000);
		this.#sampler.unref();
	}

	stopSampling(): void {
		clearInterval(this.#sampler);
		this.#sampler = undefined;
	}

	subscribe = (listener: () => void): (() => void) => {
		this.#listeners.add(listener);
		return () => this.#listeners.delete(listener);
	};

	getSnapshot = (): Snapshot => {
		this.#snapshot ??= this.#tickSnapshot();
		return this.#snapshot;
	};

	/** The snapshot published on the tick leaves the timeline out: it crosses to the dashboard thread four times a second. */
	#tickSnapshot(): Snapshot {
		return {...this.snapshot(), timeline: []};
	}

	/**
	 * Apply one wire message (source/metrics/wire.ts) from a worker or an agent: cumulative parts
	 * add their difference from the source's previous message, histogram deltas add, rows land at
	 * their global ids. A store fed by merge records no client events of its own.
	 */
	merge(message: WireMessage): void {
		checkWire(message);
		const previous = this.#sources.get(message.source);
		if (previous !== undefined && message.seq <= previous.seq) {
			return; // a repeat: cumulative parts are already in, and the deltas must not add twice
		}

		for (const key of Object.keys(message.totals) as Array<keyof Snapshot['totals']>) {
			this.#totals[key] += message.totals[key] - (previous?.totals[key] ?? 0);
		}

		const kinds = new Set([...Object.keys(message.errorsByKind), ...Object.keys(previous?.errorsByKind ?? {})] as ErrorKind[]);
		for (const kind of kinds) {
			const next = (this.#errorsByKind[kind] ?? 0) + (message.errorsByKind[kind] ?? 0) - (previous?.errorsByKind[kind] ?? 0);
			this.#errorsByKind[kind] = next;
		}

		this.#remoteDelivery ??= emptyWireDelivery();
		addDelivery(this.#remoteDelivery, message.delivery, 1);
		if (previous !== undefined) {
			addDelivery(this.#remoteDelivery, previous.delivery, -1);
		}

		if (message.highestId > this.#clients) {
			this.#grow(message.highestId, false);
		}

		// State counts come from the sources' counts, not from rows (rows travel less often).
		for (const [index, state] of clientStates.entries()) {
			this.#stateCounts[index]! += message.states[state] - (previous?.states[state] ?? 0);
		}

		if (message.streams && this.#streams) {
			mergeStreams(this.#streams, message.streams, previous?.streams);
		}

		const {connect, latency, reconnect} = message.histograms;
		if (connect) {
			this.connectHistogram.addEncoded(connect.hdr, connect.minMs, connect.maxMs);
		}

		if (latency) {
			this.#latencyPending.addEncoded(latency.hdr, latency.minMs, latency.maxMs);
		}

		if (reconnect) {
			this.reconnectHistogram.addEncoded(reconnect.hdr, reconnect.minMs, reconnect.maxMs);
		}

		const {rows} = message;
		if (rows) {
			const highest = rows.ids.reduce((most, id) => Math.max(most, id), 0);
			if (highest > this.#clients) {
				this.#grow(highest, false);
			}

			// Columns as arrays by index: a property lookup by name per cell was most of the cost.
			const target = columnNames.map(name => this.#columns[name]);
			const source = columnNames.map(name => rows.columns[name]);
			for (const [index, id] of rows.ids.entries()) {
				this.#state[id] = rows.state[index]!;
				for (let column = 0; column < target.length; column++) {
					target[column]![id] = source[column]![index]!;
				}

				this.#lastEventId[id] = rows.lastEventId[index]!;
				this.#lastError[id] = rows.lastError[index]!;
			}
		}

		this.#sources.set(message.source, {...message, histograms: {connect: null, latency: null, reconnect: null}, rows: null, ...(message.streams && {streams: streamCounts(message.streams)})});
	}

	/** The partial-data budgets of the merged sources added up (each process has its own); null: none merged. */
	mergedBuffered(): BufferStats | null {
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
	mergedTransport(): TransportCounts {
		const sum = {connections: 0, streams: 0};
		for (const {transport} of this.#sources.values()) {
			sum.connections += transport?.connections ?? 0;
			sum.streams += transport?.streams ?? 0;
		}

		return sum;
	}

	/** The request streams' stats, for a producer (wire.ts); undefined without request streams. */
	get streamStats(): StreamStats | undefined {
		return this.#streams;
	}

	/** The last message merged from `source`, histograms and rows left out. */
	lastFrom(source: string): WireMessage | undefined {
		return this.#sources.get(source);
	}

	#setState(id: number, state: ClientState): void {
		const next = stateIndex.get(state)!;
		const previous = this.#state[id]!;
		if (previous !== next) {
			this.#stateCounts[previous]!--;
			this.#stateCounts[next]!++;
			this.#state[id] = next;
		}
	}

	/** `countIdle` false when merging: the sources' state counts already count every slot. */
	#grow(id: number, countIdle = true): void {
		if (id >= this.#capacity) {
			const capacity = Math.max(64, this.#capacity * 2, id + 1);
			const state = new Uint8Array(capacity);
			state.set(this.#state);
			this.#state = state;
			const pending = new Uint8Array(capacity);
			pending.set(this.#pendingAttempt);
			this.#pendingAttempt = pending;
			const columns = createColumns(capacity);
			for (const name of columnNames) {
				columns[name].set(this.#columns[name]);
			}

			this.#columns = columns;
			this.#streams?.useColumns(columns);
			const droppedAt = new Float64Array(capacity).fill(-1);
			droppedAt.set(this.#droppedAt);
			this.#droppedAt = droppedAt;
			this.#accounting.delivery.grow(capacity);
			this.#accounting.delivery.useColumns(columns.gaps, columns.duplicates);
			this.#capacity = capacity;
		}

		// New slots start idle (state index 0).
		if (countIdle) {
			this.#stateCounts[0]! += id - this.#clients;
		}

		this.#clients = id;
	}
}
