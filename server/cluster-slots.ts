import cluster, {type Worker} from 'node:cluster';
import {workerSetupVariable, type Entry, type ToWorker, type WorkerSetup} from './cluster-protocol.js';
import type {Logger} from './logger.js';
import {RedisReplayStore} from './redis-replay.js';
import type {ReplayEntry, ReplayStore} from './replay.js';
import type {ServerStats} from './stats.js';

/** A worker slot is restarted at most this many times within `restartWindowMs`, then left empty. */
const maxRestarts = 5;
const restartWindowMs = 60_000;

/** One worker place of `serve --workers N` (1..N), kept across restarts of its process. */
export type Slot = {
	readonly number: number;
	worker: Worker | undefined;
	/** The worker listens for our messages (it said hello); until then sending would lose them. */
	listening: boolean;
	ready: boolean;
	restarts: number[];
	final: ServerStats | undefined;
};

export function createSlots(workers: number): Slot[] {
	return Array.from({length: workers}, (_, index) => ({number: index + 1, worker: undefined, listening: false, ready: false, restarts: [], final: undefined}));
}

/** The slots whose worker is up and listening. */
export function liveSlots(slots: readonly Slot[]): Slot[] {
	return slots.filter(slot => slot.listening && slot.worker && !slot.worker.isDead() && slot.worker.isConnected());
}

export function sendTo(slot: Slot, message: ToWorker, logger: Logger): void {
	try {
		slot.worker?.send(message);
	} catch (error) {
		logger.debug('send to worker failed', {to: slot.number, error: String(error)});
	}
}

/** Starts the slot's worker process with its setup in the environment; the slot starts over (not listening, not ready). */
export function forkSlot(slot: Slot, setup: WorkerSetup): Worker {
	const worker = cluster.fork({[workerSetupVariable]: JSON.stringify(setup)});
	slot.worker = worker;
	slot.listening = false;
	slot.ready = false;
	slot.final = undefined;
	return worker;
}

/** Forgets the slot's restarts older than the window; false when it had its share within it (leave it empty). */
export function mayRestart(slot: Slot, now: number): boolean {
	slot.restarts = slot.restarts.filter(at => now - at < restartWindowMs);
	return slot.restarts.length < maxRestarts;
}

/** What the replay holds now, to seed a worker that just said hello (the Redis store's local copy). */
export function seedEntries(replay: ReplayStore): Entry[] {
	const held = replay instanceof RedisReplayStore ? replay.localEntries() : (replay.entries() as readonly ReplayEntry[]);
	return held.map(entry => ({id: entry.id, json: jsonOfFrame(entry.frame)}));
}

/** The JSON payload of a replay frame (`id: N\ndata: JSON\n\n`), for seeding a new worker. */
function jsonOfFrame(frame: Buffer): string {
	const text = frame.toString();
	const start = text.indexOf('\ndata: ') + 7;
	return text.slice(start, text.length - 2);
}
