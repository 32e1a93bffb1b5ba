import {render, type Instance} from 'ink';
import type {LogLevel} from '../config.js';
import {describeEvent, levelOf, levelRank} from '../reporters/describe-event.js';
import type {Presenter} from '../reporters/presenter.js';
import {summaryLines} from '../reporters/text.js';
import type {Snapshot} from '../metrics/snapshot.js';
import {Dashboard, type DashboardSource} from './dashboard/dashboard.js';
import {LogBuffer} from './log-buffer.js';
import {colorEnabled} from './theme.js';

export type TuiPresenterOptions = {
	stdout: NodeJS.WriteStream;
	stdin: NodeJS.ReadStream;
	version: string;
	/** snapshot tick; the dashboard redraws at most this often (and Ink at most 10 times a second) */
	tickMs?: number;
	/** a second q / Ctrl-C while clients are still closing; default: restore the terminal and exit 130 */
	onForceQuit?: () => void;
	env?: NodeJS.ProcessEnv;
};

/** 5 redraws a second: above the floor of 4, half Ink's measured cost at 10. */
const defaultTickMs = 250;

/**
 * The live dashboard as a Presenter. Client events only land in a bounded log ring (no
 * React update per event); the view redraws from the store's snapshot tick. On finish the
 * Ink frame is unmounted (its last frame stays on screen) and the plain summary is printed
 * below it, so it stays in the terminal's scrollback.
 */
export function createTuiPresenter({stdout, stdin, version, tickMs = defaultTickMs, onForceQuit, env = process.env}: TuiPresenterOptions): Presenter {
	const log = new LogBuffer();
	/** set by finish: the run's last state, drawn once before Ink lets go of the terminal */
	let final: Snapshot | undefined;
	const listeners = new Set<() => void>();
	let threshold = levelRank.info;
	let instance: Instance | undefined;
	let stopTicking: () => void = () => undefined;
	let finalSnapshot: () => void = () => undefined;

	const unmount = async () => {
		const ink = instance;
		instance = undefined;
		if (ink) {
			ink.unmount();
			await ink.waitUntilExit().catch(() => undefined);
		}
	};

	const forceQuit = onForceQuit ?? (() => {
		void unmount().finally(() => {
			process.exit(130);
		});
	});

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
		start({config, store, controls}) {
			threshold = levelRank[config.logLevel];
			store.startTicking(tickMs);
			stopTicking = () => {
				store.stopTicking();
			};

			const source: DashboardSource = {
				subscribe(listener) {
					listeners.add(listener);
					const off = store.subscribe(listener);
					return () => {
						listeners.delete(listener);
						off();
					};
				},
				getSnapshot: () => final ?? store.getSnapshot(),
				clientRows: reuse => store.clientRows(reuse),
			};
			finalSnapshot = () => {
				final = store.snapshot();
				for (const listener of listeners) {
					listener();
				}
			};

			instance = render(
				<Dashboard
					source={source}
					info={config}
					controls={controls}
					version={version}
					log={log}
					color={colorEnabled(env)}
					onForceQuit={forceQuit}
				/>,
				{stdout, stdin, exitOnCtrlC: false, maxFps: 10, patchConsole: false},
			);
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
			stopTicking();
			finalSnapshot();
			// React commits a store update on its scheduler (a macrotask), not synchronously.
			await new Promise(resolve => setTimeout(resolve, 20));
			await unmount();
			stdout.write(summaryLines(summary).join('\n') + '\n');
		},
	};
}
