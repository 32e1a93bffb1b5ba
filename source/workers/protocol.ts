import type {Config} from '../config.js';
import type {WireMessage} from '../metrics/wire.js';

/**
 * The IPC envelope between the parent and a worker process (transport only: the metrics travel
 * as wire messages inside, source/metrics/wire.ts). Sent with `serialization: 'advanced'`.
 */
export type ToWorker =
	| {type: 'start'; source: string; config: Config; startIntervalMs: number; epochStart: number}
	/** start `count` more clients, whose global ids are firstId.. */
	| {type: 'add'; count: number; firstId: number}
	| {type: 'remove'; count: number; request: number}
	/** close every client, send the final metrics, exit */
	| {type: 'stop'};

export type FromWorker =
	/** `commands`: how many add/remove commands the worker had handled when it sent this */
	| {type: 'metrics'; wire: WireMessage; commands: number}
	| {type: 'note'; text: string}
	| {type: 'removed'; request: number}
	/** every client ended on its own */
	| {type: 'finished'};

/** How often a worker sends metrics, and how often the rows travel with them (every 4th: once a second). */
export const metricsIntervalMs = 250;
export const rowsEvery = 4;
