import process from 'node:process';
import type {Writable} from 'node:stream';
import {UsageError} from '../source/errors.js';
import {parseBytes, parseDuration, parseInteger} from '../source/units.js';
import {availableParallelism} from 'node:os';
import {logLevels, maxWorkers, type LogLevel, type ServerOptions} from './options.js';
import {startCluster, workersForCores} from './cluster.js';
import {parseAllowedOrigins} from './origins.js';
import {exposureWarning} from './security.js';
import {parseRedisUrl} from '../source/redis-url.js';
import {startServer, type RunningServer} from './server.js';
import {parseSubcommand} from './subcommand.js';
import {formatFinalStats, type ServerStats} from './stats.js';
import type {RedisStats} from './redis-stats.js';

const help = `
	Usage
	  $ sse-tui serve [options]

	Starts the bundled reference server: SSE on /dashboard/stream, ActionCable on /cable,
	plain WebSocket on /ws, and /health, /dashboard/stats, /dashboard/trigger-test.

	Options
	  --port N                 TCP port (env SSE_PORT, then PORT; 0 = any free)  default 3001
	  --host H                 interface to bind                                 default 127.0.0.1
	  --heartbeat D            SSE heartbeat comment and /ws ping (0 = off)     default 30s
	  --interval D             dashboard update to every client (0 = off)        default 5s
	  --replay N               SSE events kept for Last-Event-ID resume          default 1000
	  --max-connections N      SSE + cable + ws connections; more get 503        default 10000
	  --max-buffer B           unsent bytes per client before it is dropped      default 1MiB
	  --cable-ping D           ActionCable JSON ping interval (0 = off)          default 3s
	  --allowed-origins LIST   page origins allowed on /cable, /ws and the trigger,
	                           comma-separated, or *                             default localhost
	  --stall-timeout D        drop a client whose socket sent nothing for D while
	                           bytes wait (0 = only --max-buffer judges)         default 10s
	  --workers N              processes serving the port, or auto (one per core) default 1
	                           broadcasts, SSE ids, resume and stats span them all
	  --log-level L            error, warn, info or debug (env LOG_LEVEL)        default info
	                           (a line repeated over 10 times in 10 s is counted, not printed)
	  --json-logs              log JSON lines instead of text (to stderr)
	  --help                   show this help

	Security (needed once the server listens beyond loopback)
	  --token T                every endpoint but /health needs "Authorization: Bearer T"
	                           or ?token=T (env SSE_TUI_TOKEN); never logged
	  --cors LIST              origins given Access-Control-Allow-Origin, or *
	                           default: * without --token, none with it
	  --tls-cert FILE          PEM certificate: serve https:// and wss:// (with --tls-key)
	  --tls-key FILE           PEM private key of --tls-cert

	  The trigger takes POST only, from no Origin (scripts) or an --allowed-origins page,
	  50 requests a second at most (429 with Retry-After beyond), 2 at a time, and at most
	  64 MiB per request, counted as count x (pad + 512 bytes).

	Redis fan-out (several instances behind a load balancer)
	  --redis URL              Redis to share broadcasts and replay through (env REDIS_URL)
	                           redis://host:6379, redis://:password@host:6379/0, rediss://...
	  --redis-channel NAME     pub/sub channel carrying broadcasts              default dashboard_updates
	  --cable-prefix P         also subscribe P:<channel>, where a Rails app's redis cable
	                           adapter (channel_prefix P) broadcasts

	  With --redis every message published on the channel (JSON, or text sent on as a JSON
	  string) reaches every SSE, cable and ws client of every instance; trigger-test and the
	  --interval update publish through Redis (one update per interval for the whole cluster);
	  SSE ids come from a Redis stream, so Last-Event-ID resumes on any instance. If Redis is
	  down the server keeps serving and delivers locally, reconnecting in the background.

	  Durations: 1500ms, 30s, 5m (a bare number is seconds; at most ~24.8 days). Sizes: 65536, 512KiB, 8MiB.

	Examples
	  $ sse-tui serve
	  $ sse-tui serve --port 0 --interval 1s --heartbeat 10s
	  $ sse-tui serve --workers auto --max-connections 40000
	  $ SSE_TUI_TOKEN=s3cret sse-tui serve --host 0.0.0.0 --tls-cert cert.pem --tls-key key.pem
	  $ sse-tui serve --host 0.0.0.0 --token s3cret --allowed-origins https://app.example.com --json-logs
	  $ sse-tui serve --port 3001 --redis redis://127.0.0.1:6379 --cable-prefix dashboard_production
	  $ sse-tui serve --port 3002 --redis redis://127.0.0.1:6379 --cable-prefix dashboard_production
	  $ sse-tui publish --count 10      (reaches clients of both instances)
	  $ curl -N http://127.0.0.1:3001/dashboard/stream
	  $ curl -X POST 'http://127.0.0.1:3001/dashboard/trigger-test?count=100'
`;

const flags = {
	port: {type: 'string'},
	host: {type: 'string'},
	heartbeat: {type: 'string'},
	interval: {type: 'string'},
	replay: {type: 'string'},
	maxConnections: {type: 'string'},
	maxBuffer: {type: 'string'},
	cablePing: {type: 'string'},
	allowedOrigins: {type: 'string'},
	logLevel: {type: 'string'},
	jsonLogs: {type: 'boolean'},
	redis: {type: 'string'},
	redisChannel: {type: 'string'},
	cablePrefix: {type: 'string'},
	workers: {type: 'string'},
	token: {type: 'string'},
	cors: {type: 'string'},
	tlsCert: {type: 'string'},
	tlsKey: {type: 'string'},
	stallTimeout: {type: 'string'},
	help: {type: 'boolean', shortFlag: 'h'},
} as const;

type ServeFlags = {[Key in keyof typeof flags]?: (typeof flags)[Key]['type'] extends 'boolean' ? boolean : string};

export type ServeIo = {
	env?: NodeJS.ProcessEnv;
	stdout?: Writable;
	stderr?: Writable;
};

/** Pure: parsed flags + environment -> validated, frozen server options (or a UsageError). */
export function resolveServeOptions(cliFlags: ServeFlags, env: NodeJS.ProcessEnv): ServerOptions {
	// An empty variable counts as unset, as shells and process managers often leave them.
	const portSource = cliFlags.port === undefined ? (env['SSE_PORT'] ? 'SSE_PORT' : env['PORT'] ? 'PORT' : undefined) : '--port';
	const portText = cliFlags.port ?? (portSource ? env[portSource] : undefined);
	const logLevelText = cliFlags.logLevel ?? (env['LOG_LEVEL'] || undefined);
	const logLevelSource = cliFlags.logLevel === undefined ? 'LOG_LEVEL' : '--log-level';
	if (logLevelText !== undefined && !logLevels.includes(logLevelText.toLowerCase() as LogLevel)) {
		throw new UsageError(`${logLevelSource} must be one of ${logLevels.join(', ')} (got "${logLevelText}")`);
	}

	const redisText = cliFlags.redis ?? (env['REDIS_URL'] || undefined);
	const redisUrl = redisText === undefined ? undefined : parseRedisUrl(redisText, cliFlags.redis === undefined ? 'REDIS_URL' : '--redis');
	if (redisUrl === undefined) {
		for (const [flag, value] of [['--redis-channel', cliFlags.redisChannel], ['--cable-prefix', cliFlags.cablePrefix]] as const) {
			if (value !== undefined) {
				throw new UsageError(`${flag} needs --redis URL (or REDIS_URL) to mean anything`);
			}
		}
	}

	const redisChannel = cliFlags.redisChannel?.trim() ?? 'dashboard_updates';
	if (redisChannel === '' || /\s/.test(redisChannel)) {
		throw new UsageError(`--redis-channel must be a channel name without spaces, like dashboard_updates (got "${cliFlags.redisChannel}")`);
	}

	const cablePrefix = cliFlags.cablePrefix?.trim();
	if (cablePrefix !== undefined && (cablePrefix === '' || /\s/.test(cablePrefix))) {
		throw new UsageError(`--cable-prefix must be the cable adapter's channel_prefix, like dashboard_production (got "${cliFlags.cablePrefix}")`);
	}

	const host = cliFlags.host?.trim();
	if (host === '') {
		throw new UsageError('--host must be an interface address like 127.0.0.1, 0.0.0.0 or ::1 (got "")');
	}

	const tokenText = cliFlags.token ?? (env['SSE_TUI_TOKEN'] || undefined);
	const tokenSource = cliFlags.token === undefined ? 'SSE_TUI_TOKEN' : '--token';
	if (tokenText !== undefined && (tokenText.trim() === '' || /[\s\0]/.test(tokenText))) {
		throw new UsageError(`${tokenSource} must be a non-empty token without spaces, e.g. --token "$(openssl rand -hex 16)"`);
	}

	if ((cliFlags.tlsCert === undefined) !== (cliFlags.tlsKey === undefined)) {
		throw new UsageError(`${cliFlags.tlsCert === undefined ? '--tls-key needs --tls-cert FILE' : '--tls-cert needs --tls-key FILE'} too: https:// needs both`);
	}

	for (const [flag, value] of [['--tls-cert', cliFlags.tlsCert], ['--tls-key', cliFlags.tlsKey]] as const) {
		if (value !== undefined && value.trim() === '') {
			throw new UsageError(`${flag} needs a PEM file path, e.g. ${flag} ${flag === '--tls-cert' ? 'cert.pem' : 'key.pem'}`);
		}
	}

	return Object.freeze({
		port: portText === undefined ? 3001 : parseInteger(portText, portSource ?? '--port', 0, 65_535),
		host: host ?? '127.0.0.1',
		heartbeatMs: parseDuration(cliFlags.heartbeat ?? '30s', '--heartbeat', {allowZero: true}),
		intervalMs: parseDuration(cliFlags.interval ?? '5s', '--interval', {allowZero: true}),
		replay: parseInteger(cliFlags.replay ?? '1000', '--replay', 0, 10_000_000),
		maxConnections: parseInteger(cliFlags.maxConnections ?? '10000', '--max-connections', 1, 1_000_000),
		maxBuffer: parseBytes(cliFlags.maxBuffer ?? '1MiB', '--max-buffer'),
		cablePingMs: parseDuration(cliFlags.cablePing ?? '3s', '--cable-ping', {allowZero: true}),
		allowedOrigins: cliFlags.allowedOrigins === undefined ? undefined : Object.freeze(parseAllowedOrigins(cliFlags.allowedOrigins, '--allowed-origins')),
		retryMs: 3000,
		logLevel: (logLevelText?.toLowerCase() ?? 'info') as LogLevel,
		jsonLogs: cliFlags.jsonLogs ?? false,
		logStream: undefined,
		requestTimeoutMs: 30_000,
		shutdownGraceMs: 3000,
		redisUrl,
		redisChannel,
		cablePrefix,
		redisMaxBackoffMs: 2000,
		workers: parseWorkers(cliFlags.workers),
		token: tokenText,
		cors: cliFlags.cors === undefined ? undefined : Object.freeze(parseAllowedOrigins(cliFlags.cors, '--cors')),
		tlsCert: cliFlags.tlsCert,
		tlsKey: cliFlags.tlsKey,
		stallTimeoutMs: parseDuration(cliFlags.stallTimeout ?? '10s', '--stall-timeout', {allowZero: true}),
		triggerRate: 50,
		triggerBurst: 50,
	});
}

function parseWorkers(text: string | undefined): number {
	if (text?.trim().toLowerCase() === 'auto') {
		return workersForCores(availableParallelism());
	}

	return parseInteger(text ?? '1', '--workers', 1, maxWorkers);
}

function parseServeArguments(argv: string[]): {flags: ServeFlags; help: string} {
	const cli = parseSubcommand(argv, {name: 'sse-tui serve', help, flags, importMeta: import.meta});
	if (cli.input.length > 0) {
		throw new UsageError(`"sse-tui serve" takes no arguments (got "${cli.input[0]}"); see "sse-tui serve --help"`);
	}

	return {flags: cli.flags as ServeFlags, help: cli.help};
}

/** A lone server or a cluster of workers, as the command drives them. */
type Serving = {
	readonly url: string;
	readonly workers: number;
	readonly redis: RedisStats | undefined;
	readonly token: boolean;
	close(): Promise<void>;
	destroy(): void;
	finalStats(): Promise<ServerStats>;
};

async function serve(options: ServerOptions): Promise<Serving> {
	if (options.workers === 1) {
		const server: RunningServer = await startServer(options);
		return {url: server.url, workers: 1, redis: server.stats().redis, token: options.token !== undefined, close: server.close, destroy: server.destroy, finalStats: async () => server.stats()};
	}

	const running = await startCluster(options, options.workers);
	return {url: running.url, workers: running.workers, redis: (await running.stats()).redis, token: options.token !== undefined, close: running.close, destroy: running.destroy, finalStats: running.stats};
}

function banner(server: Serving): string {
	const ws = server.url.replace(/^http/, 'ws');
	const {redis} = server;
	return [
		`sse-tui reference server listening on ${server.url}${server.workers > 1 ? ` (${server.workers} worker processes)` : ''}`,
		`  SSE          ${server.url}/dashboard/stream`,
		`  ActionCable  ${ws}/cable  (channel DashboardUpdatesChannel)`,
		`  WebSocket    ${ws}/ws`,
		`  Stats        ${server.url}/dashboard/stats`,
		`  Trigger      curl -X POST${server.token ? ' -H "Authorization: Bearer $SSE_TUI_TOKEN"' : ''} '${server.url}/dashboard/trigger-test?count=10'`,
		...(server.token ? ['  Token        required on every endpoint but /health (Authorization: Bearer, or ?token=)'] : []),
		`  Echo stream  curl -N -X POST ${server.url}/stream/echo -d '{"events":20,"interval":"50ms"}'`,
		`  Health       ${server.url}/health`,
		...(redis ? [`  Redis        ${redis.url} channels ${redis.channels.join(', ')} (${redis.state})`] : []),
		'Press Ctrl-C to stop.',
		'',
	].join('\n');
}

/** Hard limit from the first signal to exit, whatever the clients do. */
const exitDeadlineMs = 5000;

/**
 * `sse-tui serve`: parse, start, run until SIGINT/SIGTERM, shut down gracefully, print the
 * final stats. Returns the exit code; usage mistakes throw UsageError (exit 2) and a port
 * that cannot be bound throws RunError (exit 1), for the caller to print.
 */
export async function runServeCommand(argv: string[], io: ServeIo = {}): Promise<number> {
	const stdout = io.stdout ?? process.stdout;
	const stderr = io.stderr ?? process.stderr;
	const parsed = parseServeArguments(argv);
	if (parsed.flags.help) {
		stdout.write(parsed.help.trimStart() + '\n');
		return 0;
	}

	const options = resolveServeOptions(parsed.flags, io.env ?? process.env);
	const exposure = exposureWarning(options);
	if (exposure !== undefined) {
		stderr.write(exposure + '\n');
	}

	const server = await serve(options);

	let forced = false;
	const force = (): void => {
		forced = true;
		stderr.write('forcing exit\n');
		server.destroy();
	};

	const signal = await new Promise<NodeJS.Signals>(resolve => {
		const onSignal = (received: NodeJS.Signals): void => {
			// Swap in the force handler before anything else runs: between the two, a second
			// Ctrl-C would meet the default disposition and kill the process mid-shutdown.
			process.once('SIGINT', force);
			process.once('SIGTERM', force);
			process.off('SIGINT', onSignal);
			process.off('SIGTERM', onSignal);
			resolve(received);
		};

		process.on('SIGINT', onSignal);
		process.on('SIGTERM', onSignal);
		// Only now: a supervisor that signals as soon as it reads the banner must meet the handlers.
		stdout.write(banner(server));
	});
	stderr.write(`\n${signal}: shutting down (press Ctrl-C again to force)\n`);

	// Last resort if a socket outlives destroy(): never hang past the deadline.
	const deadline = setTimeout(() => {
		stderr.write(`still not closed after ${exitDeadlineMs / 1000}s; exiting\n`);
		process.exit(1);
	}, exitDeadlineMs).unref();
	try {
		await server.close();
	} finally {
		clearTimeout(deadline);
		process.off('SIGINT', force);
		process.off('SIGTERM', force);
	}

	stdout.write(formatFinalStats(await server.finalStats()) + '\n');
	return forced ? 130 : 0;
}
