import {readFileSync} from 'node:fs';
import {createServer, type IncomingMessage, type Server} from 'node:http';
import {createServer as createTlsServer} from 'node:https';
import type {Socket} from 'node:net';
import type {Duplex} from 'node:stream';
import {RunError} from '../source/errors.js';
import {Broadcaster} from './broadcaster.js';
import {acceptCable, cablePingFrame, createCableServer, shutdownFrame} from './cable-endpoint.js';
import {atCapacity, type ClusterLink, type ServerContext} from './context.js';
import {sseHeartbeat} from './frames.js';
import {rejectSocket} from './http-util.js';
import {handleRequest} from './http-routes.js';
import {createLogger} from './logger.js';
import {isOriginAllowed} from './origins.js';
import {isAuthorized} from './security.js';
import {TriggerGate} from './trigger.js';
import {resolveServerOptions, type ServerOptions} from './options.js';
import {bridgeFor, type RedisBridge} from './redis-bridge.js';
import {RedisReplayStore} from './redis-replay.js';
import {RingReplayStore, type ReplayStore} from './replay.js';
import {collectStats, type ServerStats} from './stats.js';
import {tick, type Ticker} from './ticker.js';
import {acceptWs, createWsServer, sweepWsClients} from './ws-endpoint.js';

export type {ServerOptions} from './options.js';
export type {ServerStats} from './stats.js';

export type RunningServer = {
	/** `http://host:port`, with IPv6 hosts in brackets. */
	readonly url: string;
	readonly port: number;
	readonly host: string;
	readonly options: ServerOptions;
	/** Stop accepting, say goodbye to every client, and resolve once all sockets are gone. */
	close(): Promise<void>;
	/** Destroy every socket now (the second Ctrl-C); close() still resolves afterwards. */
	destroy(): void;
	stats(): ServerStats;
	/** Send one message to every SSE, cable (dashboard_updates) and ws subscriber of this process. */
	broadcast(message: unknown): number;
	/**
	 * Same, for a message that is already JSON text (the seam for a Redis subscriber); `id` is
	 * an SSE id given elsewhere (the cluster primary, a Redis stream).
	 */
	publish(json: string, id?: string): number;
};

/** How a worker of `serve --workers N` differs from a lone server (server/cluster.ts). */
export type WorkerRole = {
	readonly link: ClusterLink;
	/** This worker's share of --max-connections. */
	readonly maxLocalConnections: number;
	/** The primary's replay entries at fork time, so a restarted worker can resume clients too. */
	readonly seed: ReadonlyArray<{id: string; json: string}>;
	/** With --redis: the primary's bridge, reached over IPC, for resumes from the Redis stream. */
	readonly redisReplay: Pick<RedisBridge, 'available' | 'streamSince' | 'streamLatest'> | undefined;
};

/** How long startServer waits for Redis before serving anyway (it keeps retrying after). */
const redisStartWaitMs = 2000;

/** The PEM files of --tls-cert and --tls-key, read once; a file that cannot be read is a RunError. */
function readTls(options: ServerOptions): {cert: Buffer; key: Buffer} | undefined {
	if (options.tlsCert === undefined || options.tlsKey === undefined) {
		return undefined;
	}

	const read = (path: string, flag: string): Buffer => {
		try {
			return readFileSync(path);
		} catch (error) {
			throw new RunError(`cannot read ${flag} ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}; give a PEM file`);
		}
	};

	return {cert: read(options.tlsCert, '--tls-cert'), key: read(options.tlsKey, '--tls-key')};
}

/** How often Node looks for requests that exceeded their timeouts. */
function checkingInterval(requestTimeoutMs: number): number {
	return Math.max(50, Math.min(5000, Math.floor(requestTimeoutMs / 4)));
}

/**
 * One server process. With `role` it is a worker of `serve --workers N`: the primary produces
 * every broadcast (ticker, trigger, Redis) and hands it over with its id, so this process
 * keeps no ticker and no Redis connection of its own.
 */
export async function startServer(partial: Partial<ServerOptions> = {}, role?: WorkerRole): Promise<RunningServer> {
	const options = resolveServerOptions(partial);
	const logger = createLogger({level: options.logLevel, json: options.jsonLogs, stream: options.logStream ?? process.stderr, ...(role ? {base: {worker: role.link.worker}} : {})});
	const redis = role ? undefined : bridgeFor(options, logger, ({id, json}) => {
		if (!context.closing) {
			broadcaster.publish(json, id);
		}
	});
	const replayBridge = role ? role.redisReplay : redis;
	const replay: ReplayStore = replayBridge && options.replay > 0 ? new RedisReplayStore(options.replay, replayBridge, logger) : new RingReplayStore(options.replay);
	for (const {id, json} of role?.seed ?? []) {
		replay.append(json, id);
	}

	const broadcaster = new Broadcaster({
		replay,
		maxBuffer: options.maxBuffer,
		stallTimeoutMs: options.stallTimeoutMs,
		onDrop(subscriber, reason, buffered) {
			logger.warn(reason === 'stalled' ? 'subscriber dropped: no write progress' : 'subscriber dropped: too far behind', {
				client: subscriber.id,
				protocol: subscriber.protocol,
				reason,
				buffered_bytes: buffered,
				...(reason === 'stalled' ? {stall_timeout_ms: options.stallTimeoutMs} : {max_buffer: options.maxBuffer}),
			});
		},
	});
	const context: ServerContext = {
		options,
		broadcaster,
		replay,
		logger,
		redis,
		startedAt: new Date(),
		counters: {rejectedOrigin: 0, rejectedCapacity: 0, deadPeers: 0, replayResumes: 0, replayGaps: 0, clientErrors: 0, cableCommands: 0, cableInvalid: 0, triggered: 0, rejectedAuth: 0, triggerLimited: 0, cableClosed: 0},
		sseStreams: new Set(),
		cableClients: new Map(),
		wsClients: new Map(),
		sockets: new Set(),
		closing: false,
		cluster: role?.link,
		maxLocalConnections: role?.maxLocalConnections ?? options.maxConnections,
		triggerGate: new TriggerGate(options.triggerRate, options.triggerBurst),
	};

	// requestTimeout bounds receiving a request, not sending the response: Node drops a
	// connection from its timeout list once the request is complete, so SSE streams and
	// upgraded sockets live on (test/server/http.test.ts holds a stream past it).
	const headersTimeout = Math.min(15_000, options.requestTimeoutMs);
	const httpOptions = {
		requestTimeout: options.requestTimeoutMs,
		headersTimeout,
		connectionsCheckingInterval: checkingInterval(headersTimeout),
		keepAliveTimeout: 5000,
		noDelay: true,
	};
	const tls = readTls(options);
	const server: Server = tls ? createTlsServer({...httpOptions, ...tls}) : createServer(httpOptions);
	const cableServer = createCableServer();
	const wsServer = createWsServer();

	server.on(tls ? 'secureConnection' : 'connection', (socket: Socket) => {
		context.sockets.add(socket);
		socket.on('close', () => context.sockets.delete(socket));
	});
	server.on('request', (req, res) => {
		handleRequest(context, req, res);
	});
	// Parse errors and socket errors (ECONNRESET, EPIPE from a vanished SSE reader) land here.
	server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
		if (error.code === 'ECONNRESET' || error.code === 'EPIPE' || !socket.writable) {
			socket.destroy();
			return;
		}

		context.counters.clientErrors++;
		logger.debug('malformed request', {code: error.code, error: error.message});
		// Node's own rule: once a response has started (an SSE stream), a 400 would corrupt it.
		if ((socket as {_httpMessage?: {headersSent?: boolean}})._httpMessage?.headersSent) {
			socket.destroy();
			return;
		}

		const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
		rejectSocket(socket, status, JSON.stringify({error: error.code ?? 'bad request'}), 'application/json');
	});
	server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
		socket.on('error', () => socket.destroy());
		const path = (req.url ?? '/').split('?')[0];
		let url: URL;
		try {
			url = new URL(req.url ?? '/', 'http://localhost');
		} catch {
			rejectSocket(socket, 400, 'malformed request target\n');
			return;
		}

		if (!isAuthorized(options, req, url)) {
			context.counters.rejectedAuth++;
			logger.warn('upgrade rejected: no valid token', {path, remote: req.socket.remoteAddress});
			rejectSocket(socket, 401, 'This server needs its token: send "Authorization: Bearer <token>" or add ?token=<token>.\n');
			return;
		}

		if (path !== '/cable' && path !== '/ws') {
			rejectSocket(socket, 404, `No WebSocket endpoint at ${path}; use /cable (ActionCable) or /ws.\n`);
			return;
		}

		if (context.closing || atCapacity(context)) {
			context.counters.rejectedCapacity++;
			logger.warn(`${path.slice(1)} rejected: at capacity`, {max: options.maxConnections});
			rejectSocket(socket, 503, `The server is at --max-connections ${options.maxConnections}; try again later.\n`);
			return;
		}

		// Both endpoints: a page on another site must not open a socket in its visitor's name
		// (cross-site WebSocket hijacking).
		const {origin} = req.headers;
		if (!isOriginAllowed(origin, options.allowedOrigins)) {
			context.counters.rejectedOrigin++;
			logger.warn(`${path.slice(1)} rejected: origin not allowed`, {origin});
			const quoted = (origin ?? '').slice(0, 200);
			rejectSocket(socket, 403, `Origin ${JSON.stringify(quoted)} is not allowed on ${path}; start the server with --allowed-origins ${quoted} (or "*").\n`);
			return;
		}

		if (path === '/cable') {
			acceptCable(context, cableServer, req, socket, head);
		} else {
			acceptWs(context, wsServer, req, socket, head);
		}
	});

	await new Promise<void>((resolve, reject) => {
		const onError = (error: NodeJS.ErrnoException): void => {
			const where = `${options.host}:${options.port}`;
			redis?.close();
			reject(
				error.code === 'EADDRINUSE'
					? new RunError(`port ${options.port} on ${options.host} is already in use; pick another with --port (0 picks a free one)`)
					: new RunError(`cannot listen on ${where}: ${error.message}; check --host and --port`),
			);
		};

		server.once('error', onError);
		server.listen({port: options.port, host: options.host}, () => {
			server.off('error', onError);
			resolve();
		});
	});
	server.on('error', error => {
		logger.error('server error', {error: error.message});
	});

	const address = server.address();
	const port = typeof address === 'object' && address ? address.port : options.port;
	const urlHost = options.host.includes(':') ? `[${options.host}]` : options.host;
	const url = `${tls ? 'https' : 'http'}://${urlHost}:${port}`;

	const timers: NodeJS.Timeout[] = [];
	const every = (ms: number, task: () => void): void => {
		if (ms > 0) {
			timers.push(setInterval(task, ms).unref());
		}
	};

	const ticker: Ticker = {
		redis,
		channel: options.redisChannel,
		intervalMs: options.intervalMs,
		startedAt: context.startedAt,
		closing: () => context.closing,
		publishLocal(json) {
			broadcaster.publish(json);
		},
	};
	every(role ? 0 : options.intervalMs, () => {
		tick(ticker);
	});
	// The time rule for slow consumers: checked every second (or a quarter of a short timeout).
	every(options.stallTimeoutMs > 0 ? Math.max(50, Math.min(1000, Math.floor(options.stallTimeoutMs / 4))) : 0, () => {
		broadcaster.sweepStalled();
	});
	every(options.heartbeatMs, () => {
		broadcaster.sendAll('sse', sseHeartbeat);
		sweepWsClients(context);
	});
	every(options.cablePingMs, () => {
		broadcaster.sendAll('cable', cablePingFrame());
	});

	const destroyNow = (): void => {
		for (const ws of [...context.cableClients.keys(), ...context.wsClients.keys()]) {
			ws.terminate();
		}

		server.closeAllConnections();
		for (const socket of context.sockets) {
			socket.destroy();
		}
	};

	let closing: Promise<void> | undefined;
	const close = async (): Promise<void> => {
		closing ??= new Promise<void>(resolve => {
			context.closing = true;
			redis?.close();
			for (const timer of timers) {
				clearInterval(timer);
			}

			logger.info('shutting down', {sse: context.sseStreams.size, cable: context.cableClients.size, ws: context.wsClients.size});
			const forceTimer = setTimeout(destroyNow, options.shutdownGraceMs).unref();
			server.close(() => {
				clearTimeout(forceTimer);
				resolve();
			});
			for (const {subscriber} of context.cableClients.values()) {
				broadcaster.enqueue(subscriber, shutdownFrame);
			}

			broadcaster.flush(true);
			for (const ws of context.cableClients.keys()) {
				ws.close(1001, 'server_restart'); // 1001 going away: ActionCable reconnects.
			}

			for (const ws of context.wsClients.keys()) {
				ws.close(1001, 'server shutting down');
			}

			for (const res of context.sseStreams) {
				res.end();
			}

			server.closeIdleConnections();
		});
		return closing;
	};

	const destroy = (): void => {
		void close();
		destroyNow();
	};

	logger.info('listening', {url});
	if (redis) {
		redis.start();
		await redis.ready(redisStartWaitMs);
	}

	return {
		url,
		port,
		host: options.host,
		options,
		close,
		destroy,
		stats: () => collectStats(context),
		broadcast: message => broadcaster.broadcast(message),
		publish: (json, id) => broadcaster.publish(json, id),
	};
}
