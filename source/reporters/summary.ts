import type {Config} from '../config.js';
import type {Percentiles} from '../metrics/histogram.js';
import type {Snapshot} from '../metrics/snapshot.js';
import type {ClientState, ErrorKind} from '../engine/types.js';

export type StopReason = 'duration' | 'signal' | 'finished';

/** The final report: the `--json` output, and what the text summary prints. Schema in README. */
export type Summary = {
	version: 1;
	target: {url: string; protocol: string; mode: string | null; scenario: string | null};
	startedAt: string;
	durationMs: number;
	stoppedBy: StopReason;
	clients: {requested: number; connected: number; final: Record<ClientState, number>};
	connections: {successful: number; failedAttempts: number; active: number; closed: number; failed: number};
	messages: {total: number; perSecond: number; perClient: number};
	heartbeats: {total: number; perSecond: number; perClient: number};
	errors: {total: number; byKind: Partial<Record<ErrorKind, number>>};
	reconnects: number;
	bytes: number;
	connectMs: Percentiles | null;
	latencyMs: Percentiles | null;
};

const round = (value: number, digits = 2) => Number.isFinite(value) ? Number(value.toFixed(digits)) : 0;

export function buildSummary(snapshot: Snapshot, config: Config, {startedAt, stoppedBy}: {startedAt: Date; stoppedBy: StopReason}): Summary {
	const seconds = snapshot.elapsedMs / 1000;
	const {totals, states} = snapshot;
	const clients = Math.max(1, snapshot.clients);
	return {
		version: 1,
		target: {url: config.url, protocol: config.protocol, mode: config.ws?.mode ?? null, scenario: config.scenario ?? null},
		startedAt: startedAt.toISOString(),
		durationMs: Math.round(snapshot.elapsedMs),
		stoppedBy,
		clients: {requested: config.clients, connected: totals.clientsConnected, final: states},
		connections: {
			successful: totals.connects,
			failedAttempts: totals.failedAttempts,
			active: states.open,
			closed: states.closed,
			failed: states.failed,
		},
		messages: {total: totals.messages, perSecond: round(totals.messages / seconds), perClient: round(totals.messages / clients)},
		heartbeats: {total: totals.heartbeats, perSecond: round(totals.heartbeats / seconds), perClient: round(totals.heartbeats / clients)},
		errors: {total: totals.errors, byKind: snapshot.errorsByKind},
		reconnects: totals.reconnects,
		bytes: totals.bytes,
		connectMs: snapshot.connectMs ?? null,
		latencyMs: snapshot.latencyMs ?? null,
	};
}
