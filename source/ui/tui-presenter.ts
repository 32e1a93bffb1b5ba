import {writeSync} from 'node:fs';
import {Worker} from 'node:worker_threads';
import type {LogLevel} from '../config.js';
import {copyRowTable} from '../metrics/row-table.js';
import {describeEvent, levelOf, levelRank} from '../reporters/describe-event.js';
import type {Presenter, RunControls, RunView} from '../reporters/presenter.js';
import type {ThresholdResult} from '../reporters/summary.js';
import {summaryLines} from '../reporters/text.js';
import type {MetricsStore} from '../metrics/store.js';
import type {DashboardThreadData, FromDashboard, ToDashboard} from './dashboard-thread/protocol.js';
import {LogBuffer} from './log-buffer.js';
import {colorEnabled} from './theme.js';
import {redactUrl} from '../redact.js';
import {targetsLine} from '../compare/text.js';

export type TuiPresenterOptions = {
	stdout: NodeJS.WriteStream;
	stdin: NodeJS.ReadStream;
	version: string;
	/** snapshot tick; the dashboard redraws at most this often (and Ink at most 10 times a second) */
	tickMs?: number;
	/** a second q / Ctrl-C while clients are still closing; default: restore the terminal and exit 130 */
	onForceQuit?: () => void;
	env?: NodeJS.ProcessEnv;
	/** the dashboard thread's module (tests swap in a broken one) */
	threadModule?: URL;
};

/** 4 redraws a second: the floor, well under Ink's measured cost at 10. */
const defaultTickMs = 250;
/** How long finish waits for the dashboard thread to draw its last frame. */
const exitWaitMs = 3000;
const showCursor = '\u001B[?25h';
const defaultThreadModule = new URL('dashboard-thread/worker.js', import.meta.url);

/**
 * The live dashboard as a Presenter. React and Ink run in a worker thread
 * (./dashboard-thread/worker.tsx), so drawing a frame never stalls the event loop that reads the
 * clients' sockets; this thread keeps the terminal: it posts a frame per store tick (the
 * snapshot and a copy of every row), writes what Ink drew, forwards keys, and carries the
 * dashboard's commands to the run. Client events only land in a bounded log ring. On finish the
 * last frame is drawn from the final state and the plain summary is printed below it, so it
 * stays in the terminal's scrollback.
 */
export function createTuiPresenter({stdout, stdin, version, tickMs = defaultTickMs, onForceQuit, env = process.env, threadModule = defaultThreadModule}: TuiPresenterOptions): Presenter {
	const log = new LogBuffer();
	let threshold = levelRank.info;
	let finish: (thresholds: readonly ThresholdResult[]) => Promise<void> = async () => undefined;

	const push = (level: LogLevel, text: string, at: number) => {
		if (levelRank[level] <= threshold && log.accept(level, at)) {
			log.push(level, text, at);
		}
	};

	return {
		get wantsEvents() {
			// Client events are warn at the most severe (levelOf): none would show at --log-level error.
			return threshold >= levelRank.warn;
		},
		start({config, store, controls, thresholds, compare, agents}) {
			threshold = levelRank[config.logLevel];
			const data: DashboardThreadData = {
				info: {url: config.compare ? targetsLine(config) : redactUrl(config.url), protocol: compare ? `${compare.names.length} targets` : config.protocol, scenario: config.scenario, clients: config.clients * (compare?.names.length ?? 1), durationMs: config.durationMs, logLevel: config.logLevel, ...(compare ? {targets: [...compare.names]} : {})},
				version,
				color: colorEnabled(env),
				columns: stdout.columns || 80,
				rows: stdout.rows || 24,
				keys: Boolean(stdin.isTTY),
			};
			finish = startDashboardThread({data, stdout, stdin, store, controls, thresholds, compare, agents, log, tickMs, onForceQuit, threadModule});
		},
		event(event, elapsedMs) {
			const level = levelOf(event);
			// Rate check before describeEvent: at debug level this runs for every message.
			if (level !== undefined && levelRank[level] <= threshold && log.accept(level, elapsedMs)) {
				log.push(level, `client ${event.client} ${describeEvent(event)}`, elapsedMs);
			}
		},
		message(level, text, elapsedMs) {
			push(level, text, elapsedMs);
		},
		async finish(summary) {
			await finish(summary.thresholds);
			stdout.write(summaryLines(summary).join('\n') + '\n');
		},
	};
}

type ThreadOptions = {
	data: DashboardThreadData;
	stdout: NodeJS.WriteStream;
	stdin: NodeJS.ReadStream;
	store: MetricsStore;
	controls: RunControls;
	thresholds: RunView['thresholds'];
	compare: RunView['compare'];
	agents: RunView['agents'];
	log: LogBuffer;
	tickMs: number;
	onForceQuit: (() => void) | undefined;
	threadModule: URL;
};

/** Starts the dashboard thread and wires it to the store, the terminal and the run; returns the finish step. */
function startDashboardThread({data, stdout, stdin, store, controls, thresholds, compare, agents, log, tickMs, onForceQuit, threadModule}: ThreadOptions): (finalThresholds: readonly ThresholdResult[]) => Promise<void> {
	// The thread's own environment, set before it loads anything (ESM hoists its imports, the JSX
	// runtime's included, above any code of its own): React's production build, and no CI hint
	// that would make Ink hold every frame back (./node-env.ts).
	const env: NodeJS.ProcessEnv = {...process.env, NODE_ENV: process.env['NODE_ENV'] ?? 'production'};
	delete env['CI'];
	delete env['CONTINUOUS_INTEGRATION'];
	const worker = new Worker(threadModule, {workerData: data, env});
	const send = (message: ToDashboard, transfer: ArrayBuffer[] = []) => {
		worker.postMessage(message, transfer);
	};

	let logSent = log.total;
	/** false while the thread has not taken the last frame: a busy dashboard skips ticks, it never queues them */
	let ready = true;
	const sendFrame = (final: boolean, finalThresholds?: readonly ThresholdResult[]) => {
		const {table, transfer} = copyRowTable(store.rowTable());
		const fresh = log.total - logSent;
		logSent = log.total;
		ready = false;
		send({type: 'frame', snapshot: final ? store.snapshot() : store.getSnapshot(), table, log: fresh > 0 ? log.latest(fresh) : [], suppressed: log.suppressed, clients: controls.clients, thresholds: finalThresholds ?? thresholds?.latest() ?? [], compare: compare?.live(), agents: agents?.rows(), final}, transfer);
	};

	let exited!: () => void;
	const exit = new Promise<void>(resolve => {
		exited = resolve;
	});
	const onKeys = () => {
		let chunk: string | Buffer | null;
		while ((chunk = stdin.read() as string | Buffer | null) !== null) {
			send({type: 'keys', data: String(chunk)});
		}
	};

	const onResize = () => {
		send({type: 'resize', columns: stdout.columns || 80, rows: stdout.rows || 24});
	};

	// Ink shows the cursor again when it unmounts, in its thread; a process that exits first
	// (a second signal, a crash) must not leave the user's terminal without one.
	const showCursorAtExit = () => {
		const {fd} = stdout as {fd?: unknown};
		if (stdout.isTTY && typeof fd === 'number') {
			try {
				writeSync(fd, showCursor);
			} catch {
				// The terminal is gone: nothing to restore.
			}
		}
	};

	process.on('exit', showCursorAtExit);
	let released = false;
	const release = () => {
		if (released) {
			return;
		}

		released = true;
		process.off('exit', showCursorAtExit);
		off();
		stdout.off('resize', onResize);
		if (data.keys) {
			stdin.off('readable', onKeys);
			stdin.setRawMode(false);
			stdin.unref();
		}
	};

	const forceQuit = onForceQuit ?? (() => {
		release();
		void worker.terminate().finally(() => {
			stdout.write(showCursor);
			process.exit(130);
		});
	});

	worker.on('message', (message: FromDashboard) => {
		switch (message.type) {
			case 'output': {
				stdout.write(message.data);
				break;
			}

			case 'taken': {
				ready = true;
				break;
			}

			case 'stop': {
				controls.stop();
				break;
			}

			case 'add-clients': {
				controls.addClients(message.count);
				break;
			}

			case 'remove-clients': {
				controls.removeClients(message.count).catch(() => undefined);
				break;
			}

			case 'force-quit': {
				forceQuit();
				break;
			}

			case 'exited': {
				exited();
				break;
			}
		}
	});
	worker.on('error', error => {
		// The run goes on without a live view; the summary still comes at the end. The terminal
		// leaves raw mode, so Ctrl-C is a signal again and stops the run as it does without a TUI.
		release();
		stdout.write(`${showCursor}\nsse-tui: the dashboard stopped (${error.message}); the run goes on, Ctrl-C stops it and the summary follows\n`);
		exited();
	});
	worker.on('exit', () => {
		release();
		exited();
	});

	store.startTicking(tickMs);
	const off = store.subscribe(() => {
		if (ready) {
			sendFrame(false);
		}
	});
	stdout.on('resize', onResize);
	if (data.keys) {
		stdin.setEncoding('utf8');
		stdin.setRawMode(true);
		stdin.on('readable', onKeys);
		stdin.ref();
	}

	sendFrame(false);

	return async finalThresholds => {
		store.stopTicking();
		sendFrame(true, finalThresholds);
		let timer: NodeJS.Timeout | undefined;
		const drawn = await Promise.race([exit.then(() => true), new Promise<boolean>(resolve => {
			timer = setTimeout(resolve, exitWaitMs, false);
		})]);
		clearTimeout(timer);
		release();
		if (!drawn) {
			stdout.write(showCursor);
		}

		await worker.terminate();
	};
}
