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
import {meowFlags} from '../source/flags/meow-spec.js';
import {renderHelp} from '../source/flags/help.js';
import {serveCommand, type ServeFlags} from '../source/flags/serve.js';
import {formatFinalStats, type ServerStats} from './stats.js';
import type {RedisStats} from './redis-stats.js';

const help = renderHelp(serveCommand);
const flags = meowFlags(serveCommand);

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

async function parseServeArguments(argv: string[]): Promise<{flags: ServeFlags; help: string}> {
	const cli = await parseSubcommand(argv, {name: 'sse-tui serve', help, flags, importMeta: import.meta});
	if (cli.input.length > 0) {
		throw new UsageError(`"sse-tui serve" takes no arguments (got "${cli.input[0]}"); see "sse-tui serve --help"`);
	}

	return {flags: cli.flags as ServeFlags, help};
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
	const parsed = await parseServeArguments(argv);
	if (parsed.flags.help) {
		stdout.write(parsed.help.trimStart());
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
