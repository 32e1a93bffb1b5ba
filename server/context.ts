import type {ServerResponse} from 'node:http';
import type {Socket} from 'node:net';
import type {WebSocket} from 'ws';
import type {Broadcaster, Subscriber} from './broadcaster.js';
import type {Logger} from './logger.js';
import type {ServerOptions} from './options.js';
import type {RedisBridge} from './redis-bridge.js';
import type {ReplayStore} from './replay.js';
import type {ServerStats} from './stats.js';
import type {TriggerAnswer, TriggerGate, TriggerRequest} from './trigger.js';

/** Things that are counted but belong to no single subscriber. */
export type Counters = {
	rejectedOrigin: number;
	rejectedCapacity: number;
	deadPeers: number;
	replayResumes: number;
	replayGaps: number;
	clientErrors: number;
	cableCommands: number;
	cableInvalid: number;
	triggered: number;
	/** Requests and upgrades refused for a missing or wrong --token. */
	rejectedAuth: number;
	/** Trigger requests answered 429. */
	triggerLimited: number;
	/** /cable sockets closed for breaking a per-socket cap (subscriptions, frame size, invalid frames). */
	cableClosed: number;
};

/** What a worker of `serve --workers N` asks of the primary (server/cluster.ts). */
export type ClusterLink = {
	/** This worker's number, 1..N (a restarted worker keeps its number). */
	readonly worker: number;
	/** Runs a trigger in the primary, which produces the updates for every worker. */
	trigger(request: TriggerRequest): Promise<TriggerAnswer>;
	/** Every worker's stats, summed by the primary. */
	stats(): Promise<ServerStats>;
};

/** `refused`: commands refused or ignored so far (the socket closes at maxRefusedCommands). */
export type CableClient = {subscriber: Subscriber; identifiers: Set<string>; refused: number};
export type WsClient = {subscriber: Subscriber; alive: boolean};

/** Shared state of one running server, handed to each endpoint module. */
export type ServerContext = {
	readonly options: ServerOptions;
	readonly broadcaster: Broadcaster;
	readonly replay: ReplayStore;
	readonly logger: Logger;
	/** The Redis fan-out when --redis is set. */
	readonly redis: RedisBridge | undefined;
	readonly startedAt: Date;
	readonly counters: Counters;
	readonly sseStreams: Set<ServerResponse>;
	readonly cableClients: Map<WebSocket, CableClient>;
	readonly wsClients: Map<WebSocket, WsClient>;
	/** Every TCP socket, so a forced shutdown can reach the ones HTTP no longer tracks. */
	readonly sockets: Set<Socket>;
	closing: boolean;
	/** Set in a worker of `serve --workers N`. */
	readonly cluster?: ClusterLink | undefined;
	/** Admits triggers run in this process (unused in a worker: the primary has its own). */
	readonly triggerGate: TriggerGate;
	/** This process's share of --max-connections (all of it unless clustered). */
	readonly maxLocalConnections: number;
};

export function atCapacity(context: ServerContext): boolean {
	return context.broadcaster.size >= context.maxLocalConnections;
}
