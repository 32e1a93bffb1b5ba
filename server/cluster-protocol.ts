import type {ServerOptions} from './options.js';
import type {ServerStats} from './stats.js';
import type {TriggerRequest} from './trigger.js';

/**
 * The IPC messages between the primary of `serve --workers N` and its workers (server/cluster.ts,
 * server/cluster-worker.ts). Node's cluster channel keeps the order of messages in each
 * direction, which is what makes every worker see the broadcasts in the same order.
 */

/** One broadcast as the primary produced it: the JSON payload and the SSE id it gave it. */
export type Entry = {readonly id: string; readonly json: string};

export type Subscribers = {sse: number; cable: number; ws: number};

export type ToWorker =
	/** First message to every worker, the answer to its hello: the replay entries held now. */
	| {t: 'seed'; entries: Entry[]}
	/** Broadcasts, in order; `ack` asks for the deliveries queued (the trigger reports them). */
	| {t: 'publish'; seq: number; entries: Entry[]; ack: boolean}
	| {t: 'stats'; req: number}
	/** The answer to one of the worker's requests. */
	| {t: 'reply'; req: number; ok: true; value: unknown}
	| {t: 'reply'; req: number; ok: false; error: string}
	| {t: 'redis'; available: boolean}
	| {t: 'shutdown'}
	| {t: 'force'};

export type ToPrimary =
	/** The worker listens for messages now: the primary sends nothing before this. */
	| {t: 'hello'}
	| {t: 'ready'}
	| {t: 'fatal'; message: string; exitCode: number}
	| {t: 'ack'; seq: number; deliveries: number; subscribers: Subscribers}
	| {t: 'stats'; req: number; stats: ServerStats}
	| {t: 'final'; stats: ServerStats}
	| {t: 'request'; req: number; what: WorkerRequest};

export type WorkerRequest =
	| {kind: 'trigger'; request: TriggerRequest}
	| {kind: 'stats'}
	| {kind: 'since'; id: string}
	| {kind: 'latest'; count: number};

/** What a worker is told at fork, in its environment (small: the replay seed goes over IPC). */
export type WorkerSetup = {
	worker: number;
	options: Omit<ServerOptions, 'logStream'>;
	maxLocalConnections: number;
};

export const workerSetupVariable = 'SSE_TUI_CLUSTER_WORKER';

/**
 * Worker `worker`'s share (1..workers) of a whole-server cap: the shares add up to `total`
 * exactly. Connections arrive round-robin, so the workers fill up evenly.
 */
export function shareOf(total: number, workers: number, worker: number): number {
	return Math.floor(total / workers) + (worker <= total % workers ? 1 : 0);
}
