import type {ServerResponse} from 'node:http';
import type {Socket} from 'node:net';
import type {WebSocket} from 'ws';
import type {Broadcaster, Subscriber} from './broadcaster.js';
import type {Logger} from './logger.js';
import type {ServerOptions} from './options.js';
import type {RedisBridge} from './redis-bridge.js';
import type {ReplayStore} from './replay.js';

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
};

export type CableClient = {subscriber: Subscriber; identifiers: Set<string>};
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
};

export function atCapacity(context: ServerContext): boolean {
	return context.broadcaster.size >= context.options.maxConnections;
}
