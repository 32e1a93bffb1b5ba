import type {AgentRow} from '../agents/table.js';
import type {Config} from '../config.js';
import type {ClientEvent} from '../engine/types.js';
import type {MetricsStore} from '../metrics/store.js';
import type {Comparison, Summary, ThresholdResult} from './summary.js';

/** What a viewer may ask of a running test; the only way back into the engine. */
export type RunControls = {
	/** start more clients (the TUI's `+`) */
	addClients(count: number): void;
	/** stop the newest clients (the TUI's `-`) */
	removeClients(count: number): Promise<void>;
	/** end the run as Ctrl-C would */
	stop(): void;
	/** clients started or waiting to start */
	readonly clients: number;
};

export type RunView = {
	config: Config;
	store: MetricsStore;
	controls: RunControls;
	/** with --threshold: the thresholds as last evaluated during the run (once a second) */
	thresholds?: {latest(): readonly ThresholdResult[]};
	/** with --target: the targets side by side as of now (`store` is then the whole run; client ids interleave the targets) */
	compare?: {names: readonly string[]; live(): Comparison};
	/** with --agents: the controller's per-agent rows as of now (the same rows as --json `agents.list`) */
	agents?: {rows(): AgentRow[]};
};

/**
 * The live face of a run: the plain-text reporter or the Ink dashboard. The run calls
 * `start` once, `event` for each client event (only when `wantsEvents`), and `finish` with
 * the summary; the presenter reads the store itself, on its own clock.
 */
export type Presenter = {
	readonly wantsEvents: boolean;
	start(view: RunView): void;
	event(event: ClientEvent, elapsedMs: number): void;
	/** a run-level line such as "stopping" */
	message(level: 'error' | 'warn' | 'info' | 'debug', text: string, elapsedMs: number): void;
	finish(summary: Summary): Promise<void>;
};
