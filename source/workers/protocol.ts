import type {RemoteTallyState} from '../broadcast-remote.js';
import type {Config} from '../config.js';
import type {WireMessage} from '../metrics/wire.js';
import type {LifecycleRecord, ShapeFeed} from './lifecycle.js';

/**
 * The IPC envelope between the parent and a worker process (transport only: the metrics travel
 * as wire messages inside, source/metrics/wire.ts). Sent with `serialization: 'advanced'`.
 */
export type ToWorker =
	/** `feed`: what the load shapes' driver in the parent needs of each client's life (lifecycle.ts) */
	| {type: 'start'; source: string; config: Config; startIntervalMs: number; epochStart: number; feed: ShapeFeed}
	/** start `count` more clients, whose global ids are firstId.. */
	| {type: 'add'; count: number; firstId: number}
	| {type: 'remove'; count: number; request: number}
	/** churn: stop the `count` longest-running clients */
	| {type: 'remove-oldest'; count: number; request: number}
	/** storm: every open client drops its connection at once (and reconnects as usual) */
	| {type: 'drop'}
	/** the broadcast scenario: broadcast `seq` went out at `at` ms of the run (the parent's clock, which the worker's store shares) */
	| {type: 'published'; seq: number; at: number}
	/** close every client, send the final metrics, exit */
	| {type: 'stop'};

export type FromWorker =
	/** `commands`: how many add/remove commands the worker had handled when it sent this */
	/** `broadcast`: the broadcast scenario's tally of this worker's clients, in full (source/broadcast-remote.ts) */
	| {type: 'metrics'; wire: WireMessage; commands: number; rss: number; broadcast?: RemoteTallyState}
	/** sent first, before any client: the worker's own RSS, the baseline of memory per connection */
	| {type: 'hello'; rss: number}
	/** client lives for the shapes' driver (only with a feed), times in epoch ms */
	| {type: 'lifecycle'; records: LifecycleRecord[]}
	/** hold: the clients heard from (any event, heartbeat or comment) since the last one, and the heartbeats among that */
	| {type: 'heard'; ids: number[]; heartbeats: number; at: number}
	| {type: 'note'; text: string}
	/** --events could not be written: the run stops, as it does in one process */
	| {type: 'events-failed'; reason: string}
	| {type: 'removed'; request: number}
	/** every client ended on its own */
	| {type: 'finished'};

/** How often a worker sends metrics, and how often the rows travel with them (every 4th: once a second). */
export const metricsIntervalMs = 250;
export const rowsEvery = 4;
