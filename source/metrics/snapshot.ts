import type {ClientState, ErrorKind} from '../engine/types.js';
import type {ServerViewNow} from '../watch/types.js';
import type {Percentiles} from './histogram.js';
import type {StreamSummary} from './streams.js';

/** Everything a reporter or the TUI needs about the run at one moment; immutable by convention. */
export type Snapshot = {
	/** ms since the run started */
	elapsedMs: number;
	/** client slots ever created (the highest client id) */
	clients: number;
	states: Record<ClientState, number>;
	totals: {
		messages: number;
		heartbeats: number;
		errors: number;
		reconnects: number;
		/** successful opens (status 200 + right content type, or WebSocket upgrade) */
		connects: number;
		/** connection attempts that ended without opening */
		failedAttempts: number;
		/** clients that opened at least once */
		clientsConnected: number;
		bytes: number;
	};
	errorsByKind: Partial<Record<ErrorKind, number>>;
	/** over the last second sampled */
	rates: {messagesPerSec: number; heartbeatsPerSec: number; bytesPerSec: number};
	/** messages per second, one entry per second, oldest first, at most 60 */
	history: readonly number[];
	connectMs: Percentiles | undefined;
	latencyMs: Percentiles | undefined;
	/** from a drop to the next open */
	reconnectMs: Percentiles | undefined;
	delivery: DeliverySummary;
	/** one point per second of the run, oldest first */
	timeline: readonly TimelinePoint[];
	/** while a broadcast scenario runs: how far it is */
	broadcast?: BroadcastProgress | undefined;
	/** --watch-redis / --watch-stats: the server side's last samples and standing differences */
	server?: ServerViewNow | undefined;
	/** a load shape's status line (--stages, hold, churn, storm; source/shapes/driver.ts) */
	shape?: ShapeStatus | undefined;
	/** request streams (--method, --body, --until-data …; source/metrics/streams.ts); undefined for the long-lived GET stream */
	streams?: StreamSummary | undefined;
	/** the undici transport (--proxy, --http2, --compressed): connections opened and streams carried */
	transport?: TransportCounts | undefined;
};

export type TransportCounts = {connections: number; streams: number};

export type ShapeStatus = {name: string; text: string};

export type BroadcastProgress = {
	published: number;
	requested: number;
	/** clients subscribed now */
	subscribed: number;
	/** deliveries still owed for what was published */
	owed: number;
};

/** One row of the per-client table. Times are ms since the run started, or -1 for never. */
export type ClientRow = {
	id: number;
	state: ClientState;
	messages: number;
	heartbeats: number;
	errors: number;
	reconnects: number;
	connects: number;
	bytes: number;
	lastEventId: string;
	lastMessageAt: number;
	lastHeartbeatAt: number;
	connectMs: number;
	latencyMs: number;
	/** messages that never arrived, and repeats, by this client's sequence numbers */
	gaps: number;
	duplicates: number;
	/** request streams: streams ended, events of the current (or last) one, its start (-1 between streams), its time to first event (-1: none yet) */
	streams: number;
	streamEvents: number;
	streamStartAt: number;
	ttfeMs: number;
	lastError: string;
};

/** Delivery accounting over every client (always on); see source/metrics/delivery.ts. */
export type DeliverySummary = {
	/** clients whose messages carried a sequence number */
	accountedClients: number;
	/** clients that received messages but never one with a sequence: no accounting for them */
	unaccountedClients: number;
	/** clients per sequence source: `seq` payload field, --seq-field, integer event id, `<ms>-<n>` stream id (ordered, not contiguous: no gaps) */
	sources: {seq: number; field: number; id: number; streamId: number};
	/** messages that should have arrived: received + gaps (broadcast: published while the client was subscribed); null when nothing was accounted */
	expected: number | null;
	/** distinct sequenced messages received (duplicates not counted) */
	received: number;
	/** received / expected, 0..1; null when expected is null or 0 */
	ratio: number | null;
	gaps: number;
	duplicates: number;
	outOfOrder: number;
	resets: number;
	/** messages without a sequence */
	unsequenced: number;
	/** reconnects after which the next message followed on (Last-Event-ID resumed), and the others */
	reconnects: {resumed: number; notResumed: number};
	/** broadcast scenario: messages of another run on the same channel, ignored */
	foreign: number;
};

/** One per second of the run. Counters are cumulative; rates and percentiles are over that second. */
export type TimelinePoint = {
	/** seconds since the run started */
	t: number;
	open: number;
	messagesPerSec: number;
	errors: number;
	reconnects: number;
	/** latency over that second; null when no message carried the latency field */
	latencyP50: number | null;
	latencyP99: number | null;
};

export function emptyDelivery(): DeliverySummary {
	return {
		accountedClients: 0,
		unaccountedClients: 0,
		sources: {seq: 0, field: 0, id: 0, streamId: 0},
		expected: null,
		received: 0,
		ratio: null,
		gaps: 0,
		duplicates: 0,
		outOfOrder: 0,
		resets: 0,
		unsequenced: 0,
		reconnects: {resumed: 0, notResumed: 0},
		foreign: 0,
	};
}

