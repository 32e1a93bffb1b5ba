import type {Writable} from 'node:stream';
import {maxTimerMs} from '../source/units.js';

/** More processes than this on one port is a typo, not a plan. */
export const maxWorkers = 256;

export const logLevels = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof logLevels)[number];

export type ServerOptions = {
	/** TCP port; 0 picks a free one (read it back from `RunningServer.port`). */
	readonly port: number;
	readonly host: string;
	/** SSE `: heartbeat` comment and /ws protocol ping interval in ms; 0 disables. */
	readonly heartbeatMs: number;
	/** Dashboard update interval in ms; 0 disables. */
	readonly intervalMs: number;
	/** SSE events kept for Last-Event-ID resume; 0 disables replay. */
	readonly replay: number;
	/** Open SSE + cable + ws connections allowed together; more get 503. */
	readonly maxConnections: number;
	/** Unsent bytes per subscriber above which it is dropped. */
	readonly maxBuffer: number;
	/** ActionCable JSON ping interval in ms; 0 disables. */
	readonly cablePingMs: number;
	/** Origins allowed on /cable; undefined means localhost origins (and no Origin at all). */
	readonly allowedOrigins: readonly string[] | undefined;
	/** The `retry:` hint sent on every SSE connect, in ms. */
	readonly retryMs: number;
	readonly logLevel: LogLevel;
	readonly jsonLogs: boolean;
	/** Where log lines go (stderr unless a test says otherwise). */
	readonly logStream: Writable | undefined;
	/** Longest time to receive a request's headers and body (not to stream a response). */
	readonly requestTimeoutMs: number;
	/** Graceful part of close(): after this many ms the remaining sockets are destroyed. */
	readonly shutdownGraceMs: number;
	/** Redis URL for fan-out across instances (issue 6); undefined keeps everything in process. */
	readonly redisUrl: string | undefined;
	/** The Redis pub/sub channel carrying broadcasts. */
	readonly redisChannel: string;
	/** ActionCable redis adapter channel_prefix: also subscribe `<prefix>:<redisChannel>`. */
	readonly cablePrefix: string | undefined;
	/** Cap of the Redis reconnect backoff in ms. */
	readonly redisMaxBackoffMs: number;
	/**
	 * Processes serving the port (`serve --workers N`, server/cluster.ts); 1 is a lone process.
	 * startServer itself always runs one process.
	 */
	readonly workers: number;
	/**
	 * `--token`: every endpoint but /health needs `Authorization: Bearer <token>` or `?token=`.
	 * Undefined: no authentication (loopback use).
	 */
	readonly token: string | undefined;
	/**
	 * `--cors`: origins given `Access-Control-Allow-Origin` (or `*`). Undefined: `*` without a
	 * token, none with one.
	 */
	readonly cors: readonly string[] | undefined;
	/** `--tls-cert` / `--tls-key`: PEM files; with both, the server speaks https:// and wss://. */
	readonly tlsCert: string | undefined;
	readonly tlsKey: string | undefined;
	/** A subscriber whose socket has had unsent bytes and made no progress this long is dropped; 0 = never. */
	readonly stallTimeoutMs: number;
	/** Trigger requests admitted per second (a bucket of `triggerBurst`); more get 429. */
	readonly triggerRate: number;
	readonly triggerBurst: number;
};

export const defaultServerOptions: ServerOptions = Object.freeze({
	port: 3001, // The seeds' Go server port, so existing client configs keep working.
	host: '127.0.0.1',
	heartbeatMs: 30_000,
	intervalMs: 5000,
	replay: 1000,
	maxConnections: 10_000,
	maxBuffer: 1024 * 1024,
	cablePingMs: 3000, // ActionCable's own beat; its JS client calls a connection stale after 6 s.
	allowedOrigins: undefined,
	retryMs: 3000,
	logLevel: 'info',
	jsonLogs: false,
	logStream: undefined,
	requestTimeoutMs: 30_000,
	shutdownGraceMs: 3000,
	redisUrl: undefined,
	redisChannel: 'dashboard_updates', // The seeds' channel, and the Rails broadcasting name.
	cablePrefix: undefined,
	redisMaxBackoffMs: 2000,
	workers: 1,
	token: undefined,
	cors: undefined,
	tlsCert: undefined,
	tlsKey: undefined,
	stallTimeoutMs: 10_000,
	triggerRate: 50,
	triggerBurst: 50,
});

/** Fills in defaults and checks what the type system cannot; programmer errors throw RangeError. */
export function resolveServerOptions(partial: Partial<ServerOptions>): ServerOptions {
	const options: ServerOptions = {...defaultServerOptions};
	for (const [key, value] of Object.entries(partial)) {
		if (value !== undefined) {
			(options as Record<string, unknown>)[key] = value;
		}
	}

	const whole = (name: keyof ServerOptions, min: number, max = Number.MAX_SAFE_INTEGER): void => {
		const value = options[name];
		if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
			throw new RangeError(`${name} must be a whole number from ${min} to ${max} (got ${String(value)})`);
		}
	};

	whole('port', 0, 65_535);
	// Timer delays: past maxTimerMs Node fires after 1 ms.
	whole('heartbeatMs', 0, maxTimerMs);
	whole('intervalMs', 0, maxTimerMs);
	whole('replay', 0, 10_000_000);
	whole('maxConnections', 1);
	whole('maxBuffer', 1);
	whole('cablePingMs', 0, maxTimerMs);
	whole('retryMs', 0, maxTimerMs);
	whole('shutdownGraceMs', 0, maxTimerMs);
	whole('requestTimeoutMs', 1, maxTimerMs);
	whole('redisMaxBackoffMs', 1, maxTimerMs);
	whole('workers', 1, maxWorkers);
	whole('stallTimeoutMs', 0, maxTimerMs);
	whole('triggerRate', 1, 1_000_000);
	whole('triggerBurst', 1, 1_000_000);
	if (options.token !== undefined && (typeof options.token !== 'string' || options.token === '')) {
		throw new RangeError('token must be a non-empty string');
	}

	if ((options.tlsCert === undefined) !== (options.tlsKey === undefined)) {
		throw new RangeError('tlsCert and tlsKey go together');
	}
	if (typeof options.redisChannel !== 'string' || options.redisChannel === '') {
		throw new RangeError('redisChannel must be a non-empty string');
	}

	if (!logLevels.includes(options.logLevel)) {
		throw new RangeError(`logLevel must be one of ${logLevels.join(', ')} (got ${String(options.logLevel)})`);
	}

	return Object.freeze({
		...options,
		allowedOrigins: options.allowedOrigins ? Object.freeze([...options.allowedOrigins]) : undefined,
		cors: options.cors ? Object.freeze([...options.cors]) : undefined,
	});
}
