import type {Writable} from 'node:stream';
import type {Config} from './config.js';
import {createClientFactory} from './engine/client-factory.js';
import {createPool} from './engine/pool.js';
import type {ClientEvent, ClientSink} from './engine/types.js';
import {MetricsStore} from './metrics/store.js';
import {openEventLog} from './reporters/events.js';
import {RunError} from './errors.js';
import type {Presenter, RunControls} from './reporters/presenter.js';
import {buildSummary, type StopReason, type Summary} from './reporters/summary.js';
import {createTextPresenter} from './reporters/text.js';

export type RunIO = {
	stdout: Writable;
	stderr: Writable;
	version: string;
	/** aborts to end the run (Ctrl-C / SIGTERM) */
	stop: AbortSignal;
	/** the live view; the plain-text reporter when omitted */
	presenter?: Presenter;
};

/**
 * Wires one run: config -> pool of clients -> metrics store -> presenter (plain text or the
 * TUI) and the JSON / NDJSON reporters. Resolves with the final summary once every client
 * is closed.
 */
export async function run(config: Config, io: RunIO): Promise<Summary> {
	const startedAt = new Date();
	const store = new MetricsStore();
	// stdout carries exactly one JSON object with --json, or the event log with --events -.
	const textOut = config.json || config.events === '-' ? io.stderr : io.stdout;
	const presenter = io.presenter ?? createTextPresenter(config, textOut, {version: io.version, printSummary: !config.json});
	let end: (reason: StopReason) => void = () => undefined;
	// A run whose event log cannot be written stops: the log is what the user asked for.
	let eventLogFailure: string | undefined;
	const eventLog = config.events === undefined ? undefined : await openEventLog(config.events, io.stdout, () => store.elapsed(), reason => {
		eventLogFailure = reason;
		presenter.message('error', `${reason}; stopping the run`, store.elapsed());
		end('error');
	});

	const notes = new Set<string>();
	const sink: ClientSink = {
		emit(event: ClientEvent) {
			store.emit(event);
			eventLog?.write(event);
			if (presenter.wantsEvents) {
				presenter.event(event, store.elapsed());
			}
		},
		bytes(client, count) {
			store.bytes(client, count);
		},
		note(text) {
			if (!notes.has(text)) {
				notes.add(text);
				presenter.message('warn', text, store.elapsed());
			}
		},
	};

	const factory = createClientFactory(config, sink);
	const pool = createPool({
		startIntervalMs: config.startIntervalMs,
		createClient: factory.create,
		onAllFinished() {
			end('finished');
		},
	});
	const controls: RunControls = {
		addClients(count) {
			pool.add(count);
		},
		async removeClients(count) {
			await pool.remove(count);
		},
		stop() {
			end('signal');
		},
		get clients() {
			return pool.size;
		},
	};

	const stoppedBy = await new Promise<StopReason>(resolve => {
		let timer: NodeJS.Timeout | undefined;
		const onAbort = () => {
			end('signal');
		};

		end = reason => {
			end = () => undefined;
			clearTimeout(timer);
			io.stop.removeEventListener('abort', onAbort);
			resolve(reason);
		};

		presenter.start({config, store, controls});
		if (io.stop.aborted) {
			end('signal');
			return;
		}

		io.stop.addEventListener('abort', onAbort, {once: true});
		if (config.durationMs !== undefined) {
			timer = setTimeout(() => {
				end('duration');
			}, config.durationMs);
		}

		pool.add(config.clients);
	});

	presenter.message('info', `stopping (${stoppedBy}): closing ${pool.size} clients`, store.elapsed());
	await pool.stop();
	await factory.close();
	await eventLog?.close();

	const summary = buildSummary(store.snapshot(), config, {startedAt, stoppedBy});
	await presenter.finish(summary);
	if (config.json) {
		io.stdout.write(JSON.stringify(summary) + '\n');
	}

	if (eventLogFailure !== undefined) {
		throw new RunError(`${eventLogFailure}; the run was stopped (summary above); pass --events a writable file path`);
	}

	return summary;
}
