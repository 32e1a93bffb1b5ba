import {MetricsStore} from '../../source/metrics/store.js';
import {WireProducer, type WireMessage} from '../../source/metrics/wire.js';

/**
 * A worker's (or an agent's) store and wire producer holding global ids offset+1.. ; messages
 * cross as JSON, as over any wire. `maxRows`: the producer's bound on rows per message.
 */
export function createWorker(source: string, offset: number, rowsEvery = 1, maxRows?: number) {
	const store = new MetricsStore();
	const producer = new WireProducer(store, {source, globalId: local => offset + local, rowsEvery, ...(maxRows === undefined ? {} : {maxRows})});
	return {
		store,
		send({active = 0, final = false} = {}): WireMessage {
			return JSON.parse(JSON.stringify(producer.next({active, final}))) as WireMessage;
		},
	};
}

export type TestWorker = ReturnType<typeof createWorker>;

/** A parent store with each worker's next message merged, in order. */
export function mergeAll(...workers: TestWorker[]): MetricsStore {
	const parent = new MetricsStore();
	for (const worker of workers) {
		parent.merge(worker.send());
	}

	return parent;
}

export function open(store: MetricsStore, client: number, connectMs: number): void {
	store.emit({kind: 'connecting', client, attempt: 1});
	store.emit({kind: 'open', client, status: 200, connectMs, url: 'u'});
}

/** A message carrying `{"seq": seq}`. */
export function message(store: MetricsStore, client: number, seq: number, latencyMs?: number): void {
	store.emit({kind: 'event', client, type: 'message', data: JSON.stringify({seq}), id: '', bytes: 10, latencyMs});
}
