import type {Config} from '../config.js';
import {redactUrl} from '../redact.js';
import type {BroadcastTallyResult} from '../metrics/broadcast-tally.js';
import type {ServerSummary} from '../watch/types.js';
import type {Percentiles} from '../metrics/histogram.js';
import type {DeliverySummary, Snapshot, TimelinePoint} from '../metrics/snapshot.js';

export type {DeliverySummary, TimelinePoint} from '../metrics/snapshot.js';
import type {ClientState, ErrorKind} from '../engine/types.js';
import type {BufferStats} from '../engine/buffer-budget.js';
import type {ShapeSummaryParts} from '../shapes/shape-summary.js';
import type {StreamSummary} from '../metrics/streams.js';
import {defaultStreamsPerConnection} from '../config-request.js';
import type {AgentsSummary} from '../agents/table.js';

export type {ChurnSummary, HoldSummary, MemorySummary, StagesSummary, StormSummary} from '../shapes/shape-summary.js';

/** `threshold`: --abort-on-fail stopped the run once a threshold could no longer pass. `error`: the --events log could not be written. */
export type StopReason = 'duration' | 'signal' | 'finished' | 'threshold' | 'error';

/** What the broadcast scenario was asked to do and when it could start. */
export type BroadcastSetup = {
	runId: string;
	via: 'redis' | 'http';
	/** Redis channel, or the trigger URL */
	target: string;
	requested: number;
	/** messages per second asked for; 0 = as fast as possible */
	rate: number;
	/** clients open (subscribed, for ActionCable) when publishing began */
	openAtStart: number;
	/** ms from the start of the run until publishing began (all open, or --settle ran out) */
	settledMs: number;
	drainMs: number;
};

/** The setup, and the tally's verdict (source/metrics/broadcast-tally.ts documents each field). */
export type BroadcastSummary = BroadcastSetup & Omit<BroadcastTallyResult, 'foreign' | 'latencyMs' | 'fanoutMs'> & {
	/** publish -> receive */
	latencyMs: Percentiles | null;
	/** per broadcast: publish -> the last client that got it has it */
	fanoutMs: Percentiles | null;
};

export type {Comparison} from '../compare/comparison.js';
import type {Comparison} from '../compare/comparison.js';

export type ThresholdResult = {expr: string; metric: string; value: number | null; passed: boolean};

/** The final report: the `--json` output, and what the text summary prints. Schema in README. */
export type Summary = ShapeSummaryParts & {
	version: 1;
	target: {url: string; protocol: string; mode: string | null; scenario: string | null};
	startedAt: string;
	durationMs: number;
	stoppedBy: StopReason;
	/** notStarted: requested clients the run ended before starting (a long --ramp, a short --duration) */
	clients: {requested: number; connected: number; notStarted: number; final: Record<ClientState, number>};
	connections: {successful: number; failedAttempts: number; active: number; closed: number; failed: number};
	messages: {total: number; perSecond: number; perClient: number};
	heartbeats: {total: number; perSecond: number; perClient: number};
	errors: {total: number; byKind: Partial<Record<ErrorKind, number>>};
	reconnects: number;
	bytes: number;
	connectMs: Percentiles | null;
	latencyMs: Percentiles | null;
	/** the latency field, and how many messages had it and did not */
	latency: {field: string; measured: number; missing: number};
	/** from a drop to the next open */
	reconnectMs: Percentiles | null;
	delivery: DeliverySummary;
	broadcast: BroadcastSummary | null;
	thresholds: ThresholdResult[];
	timeline: TimelinePoint[];
	/** --watch-redis / --watch-stats: the server's side, sampled once a second, and where it disagreed with the clients */
	server: ServerSummary | null;
	/** partial events held by all clients together (--max-buffered): peak, budget, clients failed over it; with workers, summed over them */
	buffered: BufferStats | null;
	/** --target: each target's own summary, keyed by name (the top level is the whole run) */
	targets?: Record<string, Summary>;
	/** --target: the targets side by side, metric by metric (source/compare/comparison.ts) */
	comparison?: Comparison;
	/** request streams (--method, --body, --until-data, --then …); null for the long-lived GET stream */
	streams: StreamsSummary | null;
	/** the undici transport (--proxy, --http2, --compressed); null: the fast HTTP/1.1 reader */
	transport: TransportSummary | null;
	/** --agents: the controller's table of its load agents (source/agents/table.ts) */
	agents?: AgentsSummary;
};

export type StreamsSummary = {
	method: string;
	then: string;
	untilData: string | null;
	untilEvent: string | null;
} & StreamSummary;

export type TransportSummary = {
	via: 'undici';
	/** the proxy, credentials redacted; null: direct */
	proxy: string | null;
	http2: boolean;
	streamsPerConnection: number | null;
	compressed: boolean;
	/** connections opened (HTTP/2: each carries many streams) */
	connections: number;
	/** requests sent over them */
	streams: number;
};

const round = (value: number, digits = 2) => Number.isFinite(value) ? Number(value.toFixed(digits)) : 0;

export type SummaryParts = {
	startedAt: Date;
	stoppedBy: StopReason;
	broadcast?: BroadcastSummary | null;
	thresholds?: ThresholdResult[];
	server?: ServerSummary | null;
	/** the load shape's blocks (memory, hold, churn, storm, stages), present only for that shape */
	shape?: ShapeSummaryParts;
	buffered?: BufferStats | null;
};

export function buildSummary(snapshot: Snapshot, config: Config, {startedAt, stoppedBy, broadcast = null, thresholds = [], server = null, shape = {}, buffered = null}: SummaryParts): Summary {
	const seconds = snapshot.elapsedMs / 1000;
	const {totals, states} = snapshot;
	const clients = Math.max(1, snapshot.clients);
	return {
		version: 1,
		target: {url: redactUrl(config.url), protocol: config.protocol, mode: config.ws?.mode ?? null, scenario: config.scenario ?? null},
		startedAt: startedAt.toISOString(),
		durationMs: Math.round(snapshot.elapsedMs),
		stoppedBy,
		clients: {requested: config.clients, connected: totals.clientsConnected, notStarted: Math.max(0, config.clients - snapshot.clients), final: states},
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
		latency: {field: config.latencyField, measured: snapshot.latencyMs?.count ?? 0, missing: totals.messages - (snapshot.latencyMs?.count ?? 0)},
		reconnectMs: snapshot.reconnectMs ?? null,
		delivery: snapshot.delivery,
		broadcast,
		thresholds,
		timeline: [...snapshot.timeline],
		server,
		buffered,
		streams: config.request && snapshot.streams ? {method: config.request.method, then: config.request.then, untilData: config.request.untilData ?? null, untilEvent: config.request.untilEvent ?? null, ...snapshot.streams} : null,
		transport: config.transport ? {
			via: 'undici',
			proxy: config.transport.proxy === undefined ? null : redactUrl(config.transport.proxy),
			http2: config.transport.http2,
			streamsPerConnection: config.transport.http2 ? config.transport.streamsPerConnection ?? defaultStreamsPerConnection : null,
			compressed: config.transport.compressed,
			connections: snapshot.transport?.connections ?? 0,
			streams: snapshot.transport?.streams ?? 0,
		} : null,
		...shape,
	};
}
