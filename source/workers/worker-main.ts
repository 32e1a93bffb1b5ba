import process from 'node:process';
import {createRemoteTally} from '../broadcast-remote.js';
import {createClientFactory, openTransport} from '../engine/client-factory.js';
import {createPool} from '../engine/pool.js';
import type {ClientEvent, ClientSink} from '../engine/types.js';
import {MetricsStore} from '../metrics/store.js';
import {clientStoreOptions} from '../metrics/store-options.js';
import {openEventLog, type EventLog} from '../reporters/events.js';
import {WireProducer} from '../metrics/wire.js';
import {heardFlushMs, LifecycleForwarder, lifecycleFlushMs} from './lifecycle.js';
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

// Commands that arrive while the worker starts (undici loads) wait for it, in order.
let started: Promise<(message: ToWorker) => Promise<void>> | undefined;
process.on('message', async (message: ToWorker) => {
	if (message.type === 'start') {
		started ??= start(message);
		return;
	}

	const handle = await started;
	await handle?.(message);
});

/** Set up the worker's engine and store; resolves with the handler of the parent's commands. */
async function start({source, config, startIntervalMs, epochStart, feed}: Extract<ToWorker, {type: 'start'}>): Promise<(message: ToWorker) => Promise<void>> {
	send({type: 'hello', rss: process.memoryUsage().rss});
	// --events FILE: the parent created it; each worker appends its clients' lines, by global id.
	let eventLog: EventLog | undefined;
	const logEvent = (event: ClientEvent) => {
		eventLog?.write({...event, client: globalIds[event.client]!});
	};

	// undici only when the run asks for it, as in one process (source/run.ts).
	const transport = await openTransport(config);
	const store: MetricsStore = new MetricsStore({
		...clientStoreOptions(config, transport, () => store.mergedTransport()),
		onDeliveryEvent: config.events === undefined ? undefined : logEvent,
		// The parent's clock, so the rows' times mean the same in its store.
		now: () => performance.timeOrigin + performance.now(),
		startedAt: epochStart,
	});
	/** global id of each local id, in the order the parent handed ids out */
	let globalIds = new Float64Array(1024);
	let allocated = 0;
	const producer = new WireProducer(store, {source, rowsEvery, globalId: local => globalIds[local]!});
	const notes = new Set<string>();
	const lifecycle = feed === 'none' ? undefined : new LifecycleForwarder(feed, local => globalIds[local]!, () => performance.timeOrigin + performance.now());
	const sink: ClientSink = {
		emit(event: ClientEvent) {
			store.emit(event);
			lifecycle?.observe(event);
			if (eventLog) {
				logEvent(event);
			}
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
	// Commands that arrive while the log opens wait for it (the handler below awaits this first).
	const logOpened = config.events === undefined ? undefined : openEventLog(config.events, process.stdout, () => store.elapsed(), reason => {
		send({type: 'events-failed', reason});
	}, {append: true}).then(log => {
		eventLog = log;
	}, (error: unknown) => {
		send({type: 'events-failed', reason: (error as Error).message});
	});
	const factory = createClientFactory(config, sink, transport);
	// The broadcast scenario: this worker tallies its clients; the parent publishes and says when.
	const tally = config.broadcast && createRemoteTally(config.broadcast, config.clients, store);
	const pool = createPool({
		startIntervalMs,
		createClient: factory.create,
		onAllFinished() {
			send({type: 'finished'});
		},
	});

	let commands = 0;
	// The tally's progress travels with every message, in full with the rows (once a second, as an
	// agent's): 10,000 broadcasts make a 600 kB state that takes ~16 ms to build.
	const metrics = (final: boolean): FromWorker => {
		const wire = {...producer.next({active: final ? 0 : pool.size, final}), buffered: factory.buffered()};
		return {type: 'metrics', wire, commands, rss: process.memoryUsage().rss, ...(tally ? {broadcast: tally.state(final || wire.rows !== null)} : {})};
	};
	const timer = setInterval(() => {
		send(metrics(false));
	}, metricsIntervalMs);
	const flushLifecycle = () => {
		const records = lifecycle?.takeRecords() ?? [];
		if (records.length > 0) {
			send({type: 'lifecycle', records});
		}
	};

	const lifecycleTimers = lifecycle === undefined ? [] : [
		setInterval(flushLifecycle, lifecycleFlushMs),
		...(feed === 'hold' ? [setInterval(() => {
			const {ids, heartbeats} = lifecycle.takeHeard();
			if (ids.length > 0 || heartbeats > 0) {
				send({type: 'heard', ids, heartbeats, at: performance.timeOrigin + performance.now()});
			}
		}, heardFlushMs)] : []),
	];
	let stopping = false;
	return async (message: ToWorker) => {
		await logOpened;
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

			case 'remove':
			case 'remove-oldest': {
				commands++;
				await (message.type === 'remove' ? pool.remove(message.count) : pool.removeOldest(message.count));
				send({type: 'removed', request: message.request});
				break;
			}

			case 'published': {
				tally?.published(message.seq, message.at);
				break;
			}

			case 'drop': {
				pool.dropAll();
				break;
			}

			case 'stop': {
				if (stopping) {
					return;
				}

				stopping = true;
				clearInterval(timer);
				for (const each of lifecycleTimers) {
					clearInterval(each);
				}

				await pool.stop();
				await factory.close();
				await eventLog?.close();
				// The final closes are the driver's too (a final close is no drop).
				flushLifecycle();
				send(metrics(true), () => {
					process.exit(0);
				});
				break;
			}

			default: {
				break;
			}
		}
	};
}
