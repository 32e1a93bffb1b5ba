import {latencyOf, wallClock} from '../engine/latency.js';
import type {ClientEvent} from '../engine/types.js';
import type {BroadcastTally} from './broadcast-tally.js';
import {Arrival, DeliveryTracker} from './delivery.js';
import {createSequenceReader, parseJson, valueAt, type SequenceReader} from './sequence.js';
import {emptyDelivery, type DeliverySummary} from './snapshot.js';

export type AccountingOptions = {
	/** --seq-field: the JSON path of the sequence number (default: `seq`, then the event id) */
	seqField?: string | undefined;
	/** --latency-field, when not the `sent_at` the engine reads itself */
	latencyField?: string | undefined;
	/** delivery findings (`gap`, `reset`) for the event log and the live log */
	onDeliveryEvent?: ((event: ClientEvent) => void) | undefined;
	/** false only to measure what accounting costs (bench/sse-ingest.ts) */
	enabled?: boolean;
};

/**
 * What the store does with each message beyond counting it: the latency from a field other
 * than `sent_at`, the sequence number and the client's delivery accounting, and, while a
 * broadcast scenario runs, the tally per broadcast (messages of other runs are foreign).
 */
export class Accounting {
	readonly delivery: DeliveryTracker;
	readonly #enabled: boolean;
	readonly #sequence: SequenceReader;
	/** the path of --latency-field when it is not `sent_at` */
	readonly #latencyPath: readonly string[] | undefined;
	#broadcast: BroadcastTally | undefined;
	#runMarker = '';

	constructor({seqField, latencyField, onDeliveryEvent, enabled = true}: AccountingOptions) {
		this.#enabled = enabled;
		this.#latencyPath = latencyField === undefined || latencyField === 'sent_at' ? undefined : latencyField.split('.');
		this.#sequence = createSequenceReader(seqField);
		this.delivery = new DeliveryTracker(onDeliveryEvent && {
			gap(client, from, to) {
				onDeliveryEvent({kind: 'gap', client, from, to, count: to - from + 1});
			},
			reset(client, from, to) {
				onDeliveryEvent({kind: 'reset', client, from, to});
			},
		});
	}

	get broadcast(): BroadcastTally | undefined {
		return this.#broadcast;
	}

	/** The message's latency: the engine's `sent_at` reading, or --latency-field's. */
	latency(data: string, engineLatencyMs: number | undefined): number | undefined {
		return this.#latencyPath === undefined ? engineLatencyMs : latencyOf(valueAt(parseJson(data), this.#latencyPath), wallClock());
	}

	message(client: number, data: string, eventId: string, at: number, latencyMs: number | undefined): void {
		if (!this.#enabled) {
			return;
		}

		const broadcast = this.#broadcast;
		if (broadcast !== undefined && !data.includes(this.#runMarker)) {
			broadcast.foreign();
			this.delivery.unsequenced(client);
			return;
		}

		const seq = this.#sequence.read(data, eventId, this.delivery.sourceOf(client));
		if (seq === -1) {
			this.delivery.unsequenced(client);
			return;
		}

		const arrival = this.delivery.record(client, seq, this.#sequence.source);
		broadcast?.received(client, seq, at, latencyMs, arrival === Arrival.duplicate);
	}

	/** Tally the messages of broadcast run `tally.runId` per broadcast. */
	trackBroadcast(tally: BroadcastTally): void {
		this.#broadcast = tally;
		this.#runMarker = `"run":"${tally.runId}"`;
	}

	summary(clients: number): DeliverySummary {
		if (!this.#enabled) {
			return emptyDelivery();
		}

		const summary = this.delivery.summary(clients);
		if (this.#broadcast !== undefined) {
			summary.foreign = this.#broadcast.foreignCount;
		}

		return summary;
	}
}
