import {cableSubprotocols} from './engine/cable-protocol.js';
import {UsageError} from './errors.js';
import {oneOf, parseDuration} from './units.js';

export const wsModes = ['cable', 'raw'] as const;
export type WsMode = typeof wsModes[number];

/** The WebSocket flags (`--protocol websocket`), as meow hands them over. */
export type WebSocketFlags = {
	wsMode?: string;
	channel?: string;
	channelParams?: string;
	origin?: string;
	subprotocol?: string[];
	perform?: string;
	performData?: string;
	performEvery?: string;
	pingInterval?: string;
	pongTimeout?: string;
	compression?: boolean;
};

export const wsDefaults = {
	channel: 'DashboardUpdatesChannel',
	pingInterval: '15s',
	pongTimeout: '10s',
} as const;

/** The WebSocket side of a run (`--protocol websocket`). */
export type WebSocketConfig = Readonly<{
	mode: WsMode;
	channel: string;
	channelParams: Readonly<Record<string, unknown>>;
	/** sent as Origin; ActionCable refuses upgrades from origins it does not allow */
	origin: string | undefined;
	/** the subprotocols to offer (cable: ActionCable's two unless --subprotocol says otherwise); [] offers none */
	subprotocols: readonly string[];
	perform: Readonly<{action: string; data: Readonly<Record<string, unknown>>; everyMs: number}> | undefined;
	pingIntervalMs: number;
	pongTimeoutMs: number;
	compression: boolean;
}>;

export function resolveWebSocket(flags: WebSocketFlags): Omit<WebSocketConfig, 'origin'> {
	const performEvery = flags.performEvery === undefined ? undefined : parseDuration(flags.performEvery, '--perform-every');
	if (flags.perform === undefined && (flags.performData !== undefined || performEvery !== undefined)) {
		throw new UsageError('--perform-data and --perform-every need --perform ACTION (the channel action to call)');
	}

	if (flags.origin !== undefined && !/^https?:\/\/[^/]+$/.test(flags.origin)) {
		throw new UsageError(`--origin must be an origin like http://localhost:3000, with no path (got "${flags.origin}")`);
	}

	const mode = oneOf(flags.wsMode ?? 'cable', wsModes, '--ws-mode');
	return {
		mode,
		channel: flags.channel ?? wsDefaults.channel,
		channelParams: Object.freeze(jsonObject(flags.channelParams, '--channel-params', '{"room":"1"}')),
		subprotocols: Object.freeze(subprotocols(flags.subprotocol, mode)),
		perform: flags.perform === undefined ? undefined : Object.freeze({
			action: flags.perform,
			data: Object.freeze(jsonObject(flags.performData, '--perform-data', '{"body":"hi"}')),
			everyMs: performEvery ?? 1000,
		}),
		pingIntervalMs: parseDuration(flags.pingInterval ?? wsDefaults.pingInterval, '--ping-interval', {allowZero: true}),
		pongTimeoutMs: parseDuration(flags.pongTimeout ?? wsDefaults.pongTimeout, '--pong-timeout'),
		compression: Boolean(flags.compression),
	};
}

/**
 * `--subprotocol a,b` (repeatable) -> the list to offer; absent: the mode's default (ActionCable's
 * two); `''` or `none`: offer none at all.
 */
function subprotocols(lists: readonly string[] | undefined, mode: WsMode): string[] {
	// meow hands over [] for a repeatable flag that was not given.
	if (lists === undefined || lists.length === 0) {
		return mode === 'cable' ? [...cableSubprotocols] : [];
	}

	const names = lists.flatMap(list => list.split(',')).map(name => name.trim()).filter(name => name !== '' && name.toLowerCase() !== 'none');
	for (const name of names) {
		// RFC 6455 section 4.1: each subprotocol is an HTTP token, offered once.
		if (!/^[!#$%&'*+.^`|~\w-]+$/.test(name) || names.indexOf(name) !== names.lastIndexOf(name)) {
			throw new UsageError(`--subprotocol takes names like actioncable-v1-json, comma-separated, each once, or none (got "${name}")`);
		}
	}

	return names;
}

function jsonObject(text: string | undefined, flag: string, example: string): Record<string, unknown> {
	if (text === undefined) {
		return {};
	}

	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch {
		value = undefined;
	}

	if (typeof value !== 'object' || value === null || Array.isArray(value)) {
		throw new UsageError(`${flag} must be a JSON object like '${example}' (got "${text}")`);
	}

	return value as Record<string, unknown>;
}

/** ws://host:3000/cable -> http://host:3000: the Origin a browser page on that host would send. */
export function httpOrigin(url: string): string {
	const parsed = new URL(url);
	return `${parsed.protocol === 'wss:' ? 'https:' : 'http:'}//${parsed.host}`;
}
