import process from 'node:process';
import {createClientFactory} from '../engine/client-factory.js';
import {createPool} from '../engine/pool.js';
import type {ClientEvent, ClientSink} from '../engine/types.js';
import {MetricsStore} from '../metrics/store.js';
import {WireProducer} from '../metrics/wire.js';
import {metricsIntervalMs, rowsEvery, type FromWorker, type ToWorker} from './protocol.js';

/**
 * A worker process (`--workers N`): its own clients, engine and store, with local client ids
 * 1, 2, ... mapped to the global ids the parent handed out; it sends wire messages over IPC and
 * runs no presenter. The parent drives it: a Ctrl-C reaching the whole process group is ignored
 * here, the parent's `stop` ends it after a final message.
 */
function send(message: FromWorker, callback?: () => void): void {
	if (process.connected) {
		process.send!(message, undefined, {}, callback);
	}
}

process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => undefined);
// The parent is gone: nobody will read what this worker measures.
process.on('disconnect', () => {
	process.exit(0);
});

let started = false;
process.on('message', (message: ToWorker) => {
	if (message.type === 'start' && !started) {
		started = true;
		start(message);
	}
});

function start({source, config, startIntervalMs, epochStart}: Extract<ToWorker, {type: 'start'}>): void {
	const store = new MetricsStore({
		seqField: config.seqField,
		latencyField: config.latencyField,
		subscribeOn: config.ws?.mode === 'cable' ? 'confirm' : 'open',
		// The parent's clock, so the rows' times mean the same in its store.
		now: () => performance.timeOrigin + performance.now(),
		startedAt: epochStart,
	});
	/** global id of each local id, in the order the parent handed ids out */
	let globalIds = new Float64Array(1024);
	let allocated = 0;
	const producer = new WireProducer(store, {source, rowsEvery, globalId: local => globalIds[local]!});
	const notes = new Set<string>();
	const sink: ClientSink = {
		emit(event: ClientEvent) {
			store.emit(event);
		},
		bytes(client, count) {
			store.bytes(client, count);
		},
		note(text) {
			if (!notes.has(text)) {
				notes.add(text);
				send({type: 'note', text});
			}
		},
	};
	const factory = createClientFactory(config, sink);
	const pool = createPool({
		startIntervalMs,
		createClient: factory.create,
		onAllFinished() {
			send({type: 'finished'});
		},
	});

	let commands = 0;
	const timer = setInterval(() => {
		send({type: 'metrics', wire: {...producer.next({active: pool.size}), buffered: factory.buffered()}, commands});
	}, metricsIntervalMs);
	let stopping = false;
	process.on('message', async (message: ToWorker) => {
		switch (message.type) {
			case 'add': {
				commands++;
				if (allocated + message.count + 1 > globalIds.length) {
					const grown = new Float64Array(Math.max(globalIds.length * 2, allocated + message.count + 1));
					grown.set(globalIds);
					globalIds = grown;
				}

				// The pool numbers clients 1, 2, ... as it starts them: local id k is the k-th id handed out.
				for (let index = 0; index < message.count; index++) {
					globalIds[++allocated] = message.firstId + index;
				}

				pool.add(message.count);
				break;
			}

			case 'remove': {
				commands++;
				await pool.remove(message.count);
				send({type: 'removed', request: message.request});
				break;
			}

			case 'stop': {
				if (stopping) {
					return;
				}

				stopping = true;
				clearInterval(timer);
				await pool.stop();
				await factory.close();
				send({type: 'metrics', wire: {...producer.next({active: 0, final: true}), buffered: factory.buffered()}, commands}, () => {
					process.exit(0);
				});
				break;
			}

			default: {
				break;
			}
		}
	});
}
