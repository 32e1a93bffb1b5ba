import type {Writable} from 'node:stream';
import type {Config} from './config.js';
import {createHttpDispatcher} from './engine/http-dispatcher.js';
import {createPool} from './engine/pool.js';
import {createSseClient} from './engine/sse-client.js';
import type {ClientEvent, ClientSink} from './engine/types.js';
import {MetricsStore} from './metrics/store.js';
import type {Snapshot} from './metrics/snapshot.js';
import {openEventLog} from './reporters/events.js';
import {buildSummary, type StopReason, type Summary} from './reporters/summary.js';
import {createTextReporter} from './reporters/text.js';

export type RunIO = {
	stdout: Writable;
	stderr: Writable;
	version: string;
	/** aborts to end the run (Ctrl-C / SIGTERM) */
	stop: AbortSignal;
};

/**
 * Wires one run: config -> pool of clients -> metrics store -> plain-text / JSON / NDJSON
 * reporters. Resolves with the final summary once every client is closed.
 */
export async function run(config: Config, io: RunIO): Promise<Summary> {
	const startedAt = new Date();
	const store = new MetricsStore();
	// stdout carries exactly one JSON object with --json, or the event log with --events -.
	const textOut = config.json || config.events === '-' ? io.stderr : io.stdout;
	const text = createTextReporter(config, textOut, {version: io.version});
	const eventLog = config.events === undefined ? undefined : await openEventLog(config.events, io.stdout, () => store.elapsed());

	let finished = 0;
	let wakeUp: (reason: StopReason) => void = () => undefined;
	const sink: ClientSink = {
		emit(event: ClientEvent) {
			store.emit(event);
			eventLog?.write(event);
			if (text.logsEvents) {
				text.log(event, store.elapsed());
			}

			if (event.kind === 'close' && event.final && ++finished === pool.size && !io.stop.aborted) {
				wakeUp('finished');
			}
		},
		bytes(client, count) {
			store.bytes(client, count);
		},
	};

	const dispatcher = createHttpDispatcher({timeoutMs: config.timeoutMs, insecure: config.insecure});
	const pool = createPool({
		startIntervalMs: config.startIntervalMs,
		createClient: id => createSseClient({
			id,
			url: config.url,
			headers: config.headers,
			dispatcher,
			sink,
			timeoutMs: config.timeoutMs,
			retryMs: config.retryMs,
			maxBackoffMs: config.maxBackoffMs,
			maxEventSize: config.maxEventSize,
		}),
	});

	text.banner();

	const stoppedBy = await new Promise<StopReason>(resolve => {
		const timers: NodeJS.Timeout[] = [];
		let previous: Snapshot | undefined;
		const done = (reason: StopReason) => {
			for (const timer of timers) {
				clearTimeout(timer);
			}

			io.stop.removeEventListener('abort', onStop);
			resolve(reason);
		};

		const onStop = () => {
			done('signal');
		};

		wakeUp = done;
		if (io.stop.aborted) {
			done('signal');
			return;
		}

		io.stop.addEventListener('abort', onStop, {once: true});
		if (config.durationMs !== undefined) {
			timers.push(setTimeout(() => {
				done('duration');
			}, config.durationMs));
		}

		if (config.stats && !config.json) {
			timers.push(setInterval(() => {
				const snapshot = store.snapshot();
				text.stats(snapshot, previous);
				previous = snapshot;
			}, config.statsIntervalMs));
		}

		pool.add(config.clients);
	});

	text.message('info', `stopping (${stoppedBy}): closing ${pool.size} clients`, store.elapsed());
	await pool.stop();
	await dispatcher.close().catch(() => undefined);
	await eventLog?.close();

	const summary = buildSummary(store.snapshot(), config, {startedAt, stoppedBy});
	if (config.json) {
		io.stdout.write(JSON.stringify(summary) + '\n');
	} else {
		text.summary(summary);
	}

	return summary;
}
