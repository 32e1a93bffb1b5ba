import type {ErrorKind} from '../engine/types.js';
import type {Percentiles} from '../metrics/histogram.js';

/** --scenario hold: client memory once every connection is held (RSS now minus RSS before connecting). */
export type MemorySummary = {
	/** process RSS when measured (1 s after every client was open, or at the end if they never all were) */
	rssBytes: number;
	/** process RSS before the first client connected */
	baselineBytes: number;
	/** connections open when measured */
	connections: number;
	/** (rssBytes - baselineBytes) / connections; null with no connection */
	perConnectionBytes: number | null;
};

/** --scenario hold: connect, then hold idle. */
export type HoldSummary = {
	/** from the first start until every client was open; null if they never all were */
	connectAllMs: number | null;
	/** how long the connections were held (from all open, or from giving up waiting, to the end) */
	heldMs: number;
	/** clients open at the end */
	openAtEnd: number;
	/** heartbeats (comments, pings, ActionCable pings) received while holding */
	heartbeats: number;
	/** the mean gap between two heartbeats of one client while holding; null: the server sent none */
	heartbeatIntervalMs: number | null;
	/** open clients that heard nothing for more than 2 x that interval at the end */
	stale: number;
};

/** --scenario churn */
export type ChurnSummary = {
	/** connections closed and reopened per second, as asked */
	rate: number;
	closed: number;
	/** replacement clients that opened */
	reopened: number;
	/** failed connection attempts of the replacement clients */
	failed: number;
	/** connect time of the replacement clients (under churn) */
	connectMs: Percentiles | null;
};

/** --scenario storm: every client dropped at once, and how they came back. */
export type StormSummary = {
	/** 'storm-at': dropped by the client at --storm-at; 'server-restart': seen (half of the open clients dropped within 2 s); null: none seen */
	trigger: 'storm-at' | 'server-restart' | null;
	/** ms since the run started; null when no storm happened */
	atMs: number | null;
	dropped: number;
	back: number;
	/** from the storm until 50 %, 99 % and 100 % of the dropped clients were open again; null: not reached */
	backMs: {p50: number | null; p99: number | null; p100: number | null};
	/** from the storm to each client's reopen */
	recoveryMs: Percentiles | null;
	/** failed connection attempts of the dropped clients after the storm, by kind */
	failedAttempts: {total: number; byKind: Partial<Record<ErrorKind, number>>};
	/** delivery accounting over the storm: sequence gaps (messages lost) and reconnects that did not resume */
	lost: {gaps: number; notResumed: number};
};

/** --stages */
export type StagesSummary = {
	stages: Array<{durationMs: number; target: number}>;
	/** the highest number of clients open at once */
	peakOpen: number;
};

/** The optional blocks a load shape adds to the Summary. */
export type ShapeSummaryParts = {
	memory?: MemorySummary;
	hold?: HoldSummary;
	churn?: ChurnSummary;
	storm?: StormSummary;
	stages?: StagesSummary;
};
