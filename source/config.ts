import {randomBytes} from 'node:crypto';
import type {RunFlagValues} from './flags/run.js';
import {deliveryDefaults, jsonPath, resolveBroadcast, type BroadcastConfig, type DeliveryFlags} from './config-delivery.js';
import {defaultMinRetryMs} from './engine/backoff.js';
import {httpOrigin, resolveWebSocket, wsDefaults, type WebSocketConfig, type WebSocketFlags, type WsMode} from './config-websocket.js';
import {resolveWatch, type WatchConfig, type WatchFlags} from './config-watch.js';
import {resolveCompare, type CompareConfig} from './compare/config.js';
import {resolveRequest, type RequestConfig, type RequestFlags, type TransportConfig} from './config-request.js';
import {resolveAgents, type AgentsConfig, type AgentsFlags} from './agents/config-agents.js';
import {UsageError} from './errors.js';
import {basicAuthorization, redactUrl} from './redact.js';
import {scenarioNames, scenarios, type ScenarioName} from './scenarios.js';
import {resolveShape, type ShapeConfig, type ShapeFlags} from './shapes/config-shapes.js';
import {oneOf, parseBytes, parseDuration, parseInteger} from './units.js';
import {parseThreshold, type Threshold} from './verdict/threshold-parse.js';

export const logLevels = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = typeof logLevels[number];

export {wsModes, type WebSocketConfig, type WsMode} from './config-websocket.js';

export const protocols = ['sse', 'websocket'] as const;
export type Protocol = typeof protocols[number];

/**
 * Flags as meow hands them over: strings for everything we validate ourselves. Their names and
 * types come from the definitions in source/flags/ (one entry per flag).
 */
export type RunFlags = Omit<DeliveryFlags, 'trigger'> & WatchFlags & ShapeFlags & WebSocketFlags & RequestFlags & AgentsFlags & Omit<RunFlagValues, 'trigger'> & {
	/** repeatable: with --target, `NAME=URL` once per target (source/compare/config.ts); one string from code or a config file */
	trigger?: string | string[];
};

export type Config = Readonly<{
	/** as given, credentials included: print it only through redactUrl (source/redact.ts) */
	url: string;
	protocol: Protocol;
	scenario: ScenarioName | undefined;
	clients: number;
	/** undefined: run until Ctrl-C / SIGTERM */
	durationMs: number | undefined;
	/** gap between client starts */
	startIntervalMs: number;
	timeoutMs: number;
	stats: boolean;
	statsIntervalMs: number;
	logLevel: LogLevel;
	headers: Readonly<Record<string, string>>;
	/** --show-header-values: print credential header values instead of *** */
	showHeaderValues: boolean;
	insecure: boolean;
	/** the Ink dashboard; false for --no-tui, --json, or when stdout is not a terminal */
	tui: boolean;
	json: boolean;
	/** NDJSON event log: a file path, '-' for stdout, or undefined */
	events: string | undefined;
	/** --threshold: the CI verdict; any failed one makes the run exit 1 */
	thresholds: readonly Threshold[];
	/** --abort-on-fail: stop as soon as a threshold can no longer pass */
	abortOnFail: boolean;
	retryMs: number;
	/** floor for a server's `retry:` (--min-retry); 0 obeys any */
	minRetryMs: number;
	maxBackoffMs: number;
	maxEventSize: number;
	/** --max-buffered: partial events held by all clients together; undefined: sized from the clients (engine/buffer-budget.ts) */
	maxBuffered: number | undefined;
	/** set when protocol is websocket */
	ws: WebSocketConfig | undefined;
	/** JSON path of the send time in each message (--latency-field) */
	latencyField: string;
	/** JSON path of the sequence number (--seq-field); undefined: `seq`, then the event id */
	seqField: string | undefined;
	/** set for --scenario broadcast */
	broadcast: BroadcastConfig | undefined;
	/** --watch-redis / --watch-stats: the server's side beside the clients' */
	watch: WatchConfig | undefined;
	/** --report: the self-contained HTML report to write at the end, or undefined */
	report: string | undefined;
	/** --connect-rate, --stages, --churn-rate, --storm-at, --local-address (source/shapes/) */
	shape: ShapeConfig;
	/** --workers: client processes; undefined = the default rule (source/workers/plan.ts) */
	workers: number | undefined;
	/** --target: the targets compared in this run, each with its own Config (source/compare/) */
	compare?: CompareConfig;
	/** request streams (--method, --body, --until-data, --then …; source/config-request.ts); undefined: the long-lived GET stream */
	request: RequestConfig | undefined;
	/** undici for --proxy (or the proxy environment), --http2, --compressed; undefined: the fast HTTP/1.1 reader */
	transport: TransportConfig | undefined;
	/** --agents N --redis URL: the clients run on load agents (source/agents/); this process only merges and shows */
	agents: AgentsConfig | undefined;
}>;

export const defaults = {
	port: 3000,
	path: '/dashboard/stream',
	cablePath: '/cable',
	rawWsPath: '/ws',
	...wsDefaults,
	clients: 1,
	timeout: '60s',
	logLevel: 'info' as LogLevel,
	startIntervalMs: 10,
	statsInterval: '10s',
	retry: '3s',
	maxBackoff: '30s',
	maxEventSize: '8MiB',
} as const;

export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * Flags + environment -> a validated, frozen Config. Precedence: an explicit flag, then the
 * scenario's preset, then the environment (SSE_URL, SSE_CLIENTS, LOG_LEVEL), then defaults.
 * Every mistake is a UsageError whose message names the fix.
 */
export function resolveConfig(flags: RunFlags, rawEnv: Environment = {}, {isTTY = false} = {}): Config {
	// meow hands over [] for a repeatable flag not given.
	if (flags.target !== undefined && flags.target.length > 0) {
		return resolveCompare(flags, rawEnv, {isTTY}, resolveConfig);
	}

	const env = withoutEmpty(rawEnv);
	const scenario = flags.scenario === undefined ? undefined : oneOf(flags.scenario, scenarioNames, '--scenario');
	const preset = scenario ? scenarios[scenario] : undefined;

	const protocol = oneOf(flags.protocol === 'ws' ? 'websocket' : flags.protocol ?? 'sse', protocols, '--protocol');
	const ws = protocol === 'websocket' ? resolveWebSocket(flags) : undefined;
	const url = resolveUrl(flags, env, scenario, ws?.mode);

	const shaped = resolveShape(flags, scenario);
	const clientsText = flags.clients ?? (shaped.clients === undefined ? undefined : String(shaped.clients)) ?? (preset ? String(preset.clients) : env['SSE_CLIENTS']) ?? String(defaults.clients);
	const clients = parseInteger(clientsText, flags.clients === undefined && !preset && env['SSE_CLIENTS'] ? 'SSE_CLIENTS' : '--clients', 1, 1_000_000);

	const logLevel = flags.debug ? 'debug' : oneOf(flags.logLevel ?? env['LOG_LEVEL']?.toLowerCase() ?? defaults.logLevel, logLevels, flags.logLevel ? '--log-level' : 'LOG_LEVEL');

	const durationMs = flags.duration === undefined ? shaped.durationMs : parseDuration(flags.duration, '--duration');
	const rampMs = flags.ramp === undefined ? undefined : parseDuration(flags.ramp, '--ramp', {allowZero: true});
	const startIntervalMs = shaped.startIntervalMs ?? (rampMs === undefined ? defaults.startIntervalMs : (clients > 1 ? rampMs / clients : 0));

	const json = Boolean(flags.json);
	const events = flags.events === '' ? undefined : flags.events;
	if (json && events === '-') {
		throw new UsageError('--events - would mix the event log into --json output on stdout: give --events a file path');
	}

	const thresholds = Object.freeze((flags.threshold ?? []).map(text => parseThreshold(text)));
	if (flags.abortOnFail && thresholds.length === 0) {
		throw new UsageError('--abort-on-fail needs at least one --threshold, for example --threshold \'errors==0\'');
	}

	const headers = Object.freeze(withToken(withUrlCredentials(parseHeaders(flags.header ?? []), url), flags.token));
	const {request, transport} = resolveRequest(flags, url, headers, env, {websocket: ws !== undefined});
	return Object.freeze({
		url,
		protocol,
		scenario,
		clients,
		durationMs,
		startIntervalMs,
		timeoutMs: parseDuration(flags.timeout ?? defaults.timeout, '--timeout'),
		stats: Boolean(flags.stats) || Boolean(preset?.stats),
		statsIntervalMs: parseDuration(flags.statsInterval ?? defaults.statsInterval, '--stats-interval'),
		logLevel,
		headers,
		showHeaderValues: Boolean(flags.showHeaderValues),
		insecure: Boolean(flags.insecure),
		tui: (flags.tui ?? true) && !json && isTTY,
		json,
		events,
		thresholds,
		abortOnFail: Boolean(flags.abortOnFail),
		retryMs: parseDuration(flags.retry ?? defaults.retry, '--retry'),
		minRetryMs: flags.minRetry === undefined ? defaultMinRetryMs : parseDuration(flags.minRetry, '--min-retry', {allowZero: true}),
		maxBackoffMs: parseDuration(flags.maxBackoff ?? defaults.maxBackoff, '--max-backoff'),
		maxEventSize: parseBytes(flags.maxEventSize ?? defaults.maxEventSize, '--max-event-size'),
		maxBuffered: flags.maxBuffered === undefined ? undefined : parseBytes(flags.maxBuffered, '--max-buffered'),
		ws: ws && Object.freeze({...ws, origin: flags.origin ?? httpOrigin(url)}),
		latencyField: jsonPath(flags.latencyField, '--latency-field', 'sent_at or meta.published_at') ?? deliveryDefaults.latencyField,
		seqField: jsonPath(flags.seqField, '--seq-field', 'seq or meta.sequence'),
		broadcast: withTriggerToken(resolveBroadcast({...flags, trigger: oneTrigger(flags.trigger)}, scenario === 'broadcast', randomBytes(6).toString('hex')), flags.token),
		watch: resolveWatch(flags, ws === undefined ? 'sse' : ws.mode),
		report: reportPath(flags.report),
		shape: shaped.shape,
		workers: flags.workers === undefined ? undefined : parseInteger(flags.workers, '--workers', 1, 64),
		request,
		transport,
		agents: resolveAgents(flags),
	});
}

function resolveUrl(flags: RunFlags, env: Environment, scenario: ScenarioName | undefined, wsMode: WsMode | undefined): string {
	const websocket = wsMode !== undefined;
	// SSE_URL names an SSE stream; it does not apply to WebSocket runs.
	let text = flags.url ?? (flags.port === undefined && !websocket ? env['SSE_URL'] : undefined);
	if (text === undefined) {
		if (scenario === 'custom') {
			throw new UsageError(`--scenario custom needs --url URL (for example --url ${websocket ? 'ws://localhost:3000/cable' : 'http://localhost:3000/dashboard/stream'})`);
		}

		const port = flags.port === undefined ? defaults.port : parseInteger(flags.port, '--port', 1, 65_535);
		const path = websocket ? (wsMode === 'raw' ? defaults.rawWsPath : defaults.cablePath) : defaults.path;
		text = `${websocket ? 'ws' : 'http'}://localhost:${port}${path}`;
	}

	let url: URL;
	try {
		url = new URL(text);
	} catch {
		throw new UsageError(`--url must be a full URL like ${websocket ? 'ws://localhost:3000/cable' : 'http://localhost:3000/dashboard/stream'} (got "${redactUrl(text)}")`);
	}

	if (websocket) {
		// http(s) URLs are accepted for WebSocket targets and upgraded, as browsers' consumers do.
		if (url.protocol === 'http:' || url.protocol === 'https:') {
			url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
		}

		if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
			throw new UsageError(`--url must start with ws:// or wss:// for --protocol websocket (got "${redactUrl(text)}")`);
		}
	} else if (url.protocol !== 'http:' && url.protocol !== 'https:') {
		throw new UsageError(`--url must start with http:// or https:// for SSE (got "${redactUrl(text)}")`);
	}

	return url.href;
}

function parseHeaders(lines: readonly string[]): Record<string, string> {
	const headers: Record<string, string> = {};
	for (const line of lines) {
		const colon = line.indexOf(':');
		const name = colon > 0 ? line.slice(0, colon).trim() : '';
		if (!/^[!#$%&'*+.^`|~\w-]+$/.test(name)) {
			throw new UsageError(`--header must look like "Name: value" (got "${line}")`);
		}

		const value = line.slice(colon + 1).trim();
		if (/[\0\r\n]/.test(value)) {
			throw new UsageError(`--header ${name}: the value cannot hold a line break or NUL`);
		}

		headers[name.toLowerCase()] = value;
	}

	return headers;
}

/** Refuses what cannot be a file by its spelling; run.ts checks the filesystem before the run starts. */
function reportPath(text: string | undefined): string | undefined {
	if (text === undefined) {
		return undefined;
	}

	if (text.trim() === '') {
		throw new UsageError('--report needs a file path, e.g. --report report.html');
	}

	if (/[/\\]$/.test(text) || /(^|[/\\])\.\.?$/.test(text)) {
		throw new UsageError(`--report must name a file, not a directory (got "${text}"), e.g. --report ${text.replace(/[/\\]*$/, '')}/report.html`);
	}

	return text;
}

/**
 * `http://user:pw@host/…`: sent as `Authorization: Basic …`, as curl does, unless --header gave
 * an Authorization of its own. The engines connect to the URL without them (client-factory.ts).
 */
function withUrlCredentials(headers: Record<string, string>, url: string): Record<string, string> {
	const authorization = basicAuthorization(new URL(url));
	return authorization === undefined || headers['authorization'] !== undefined ? headers : {...headers, authorization};
}

/** --trigger is repeatable for --target (NAME=URL each); without it, one URL. */
function oneTrigger(given: string | readonly string[] | undefined): string | undefined {
	if (typeof given === 'string' || given === undefined) {
		return given;
	}

	if (given.length > 1) {
		throw new UsageError(`--trigger is given ${given.length} times: give one trigger URL (NAME=URL per target goes with --target)`);
	}

	return given[0];
}

/** `SSE_URL=` (set but empty) means unset, as shells and CI templates often leave it. */
function withoutEmpty(env: Environment): Environment {
	return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''));
}

/**
 * --token T: `Authorization: Bearer T` on every connection, SSE and WebSocket alike (both
 * send headers; `?token=` is for browsers). An Authorization given with --header wins.
 */
function withToken(headers: Record<string, string>, token: string | undefined): Record<string, string> {
	if (token === undefined) {
		return headers;
	}

	if (token.trim() === '' || /[\s\0]/.test(token)) {
		throw new UsageError('--token must be a non-empty token without spaces (the one given to sse-tui serve --token)');
	}

	return headers['authorization'] === undefined ? {...headers, authorization: `Bearer ${token}`} : headers;
}

/** The broadcast scenario's trigger endpoint needs the token too. */
function withTriggerToken(broadcast: BroadcastConfig | undefined, token: string | undefined): BroadcastConfig | undefined {
	return broadcast && token !== undefined && broadcast.target.kind === 'http' ? Object.freeze({...broadcast, target: Object.freeze({...broadcast.target, token})}) : broadcast;
}
