import type {AgentRow} from '../../agents/table.js';
import type {RowTable} from '../../metrics/row-table.js';
import type {Snapshot} from '../../metrics/snapshot.js';
import type {Comparison, ThresholdResult} from '../../reporters/summary.js';
import type {DashboardInfo} from '../dashboard/panels.js';
import type {LogLine} from '../log-buffer.js';

/**
 * The messages between the run (main thread) and the dashboard's thread. The main thread keeps
 * the clients, the store and the terminal; the dashboard thread keeps React and Ink, so a frame
 * never blocks the event loop the clients' sockets are read on.
 */

/** What the dashboard thread starts with (Worker workerData). */
export type DashboardThreadData = {
	info: DashboardInfo;
	version: string;
	color: boolean;
	columns: number;
	rows: number;
	/** whether keys can be read (the run's stdin is a TTY) */
	keys: boolean;
};

/** One tick: the store's snapshot, a copy of every row, and what changed elsewhere since the last one. */
export type FrameMessage = {
	type: 'frame';
	snapshot: Snapshot;
	table: RowTable;
	/** log lines pushed since the last frame, oldest first */
	log: LogLine[];
	/** lines the log's rate limit dropped so far */
	suppressed: number;
	/** clients started or waiting to start (RunControls.clients) */
	clients: number;
	/** --threshold results as last evaluated on the main thread (empty without thresholds) */
	thresholds: readonly ThresholdResult[];
	/** --target: the targets side by side as of this frame */
	compare?: Comparison | undefined;
	/** --agents: the per-agent rows as of this frame */
	agents?: AgentRow[] | undefined;
	/** the run's last state: draw it, let go of the terminal, and answer `exited` */
	final: boolean;
};

export type ToDashboard =
	| FrameMessage
	| {type: 'keys'; data: string}
	| {type: 'resize'; columns: number; rows: number};

export type FromDashboard =
	/** Ink's output for the terminal, in order */
	| {type: 'output'; data: string}
	/** a frame message was taken: the next one may be sent */
	| {type: 'taken'}
	| {type: 'stop'}
	| {type: 'add-clients'; count: number}
	| {type: 'remove-clients'; count: number}
	/** a second q / Ctrl-C while the clients are closing */
	| {type: 'force-quit'}
	/** the final frame is drawn and Ink has let go */
	| {type: 'exited'};
