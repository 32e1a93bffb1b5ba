import {valueAt} from '../metrics/sequence.js';
import {redactUrl} from '../redact.js';
import type {StatsSample} from './types.js';

export type {StatsSample} from './types.js';

/** One field to show from a JSON stats document: a name and its dotted path. */
export type WatchField = {name: string; path: readonly string[]};


/**
 * The fields read when --watch-field names none, for the two known shapes of
 * `/dashboard/stats` (sse-tui serve's, which keeps the seeds' Go server's
 * `connections.{sse,websocket}` and adds `cable` and `ws`): the connections the server counts
 * for the run's protocol, the messages it sent them, and its drops.
 */
export function defaultFields(protocol: 'sse' | 'cable' | 'raw'): WatchField[] {
	const group = protocol === 'sse' ? 'sse' : (protocol === 'cable' ? 'cable' : 'ws');
	return [
		{name: 'connections', path: ['connections', group, 'current']},
		{name: 'messages', path: ['connections', group, 'messages']},
		{name: 'drops', path: ['drops', 'slow_consumer']},
	];
}

/** The Go server says `websocket` for its /cable: read that when the split counts are absent. */
const fallbacks: Record<string, readonly string[]> = {
	'connections.cable.current': ['connections', 'websocket', 'current'],
	'connections.ws.current': ['connections', 'websocket', 'current'],
	'connections.cable.messages': ['connections', 'websocket', 'messages'],
	'connections.ws.messages': ['connections', 'websocket', 'messages'],
};

/** `name=path` or `path` (the name is then the path) -> a field; the caller validated the text. */
export function parseWatchField(text: string): WatchField {
	const equals = text.indexOf('=');
	const path = equals === -1 ? text : text.slice(equals + 1);
	return {name: equals === -1 ? text : text.slice(0, equals), path: path.split('.')};
}

/**
 * Polls a JSON stats endpoint: one request at a time, each bounded by `timeoutMs`, so a slow
 * or dead endpoint shows as unreachable and never holds up anything else.
 */
export class StatsWatch {
	readonly label: string;
	readonly fields: readonly WatchField[];
	#busy = false;

	constructor(readonly url: string, fields: readonly WatchField[], readonly timeoutMs = 900) {
		this.label = redactUrl(url);
		this.fields = fields;
	}

	/** One poll; undefined when the previous one is still in flight (it is not doubled up). */
	async poll(t: number): Promise<StatsSample | undefined> {
		if (this.#busy) {
			return undefined;
		}

		this.#busy = true;
		try {
			const response = await fetch(this.url, {signal: AbortSignal.timeout(this.timeoutMs), headers: {accept: 'application/json'}});
			if (!response.ok) {
				await response.arrayBuffer().catch(() => undefined);
				return {t, reachable: false, error: `HTTP ${response.status}`, values: {}};
			}

			const document = await response.json() as unknown;
			const values: Record<string, number | null> = {};
			for (const field of this.fields) {
				let value = valueAt(document, field.path);
				if (value === undefined) {
					const fallback = fallbacks[field.path.join('.')];
					value = fallback === undefined ? undefined : valueAt(document, fallback);
				}

				values[field.name] = typeof value === 'number' && Number.isFinite(value) ? value : null;
			}

			return {t, reachable: true, values};
		} catch (error) {
			const cause = (error as {cause?: {code?: string}}).cause?.code;
			const reason = (error as Error).name === 'TimeoutError' ? `no answer within ${this.timeoutMs} ms` : (cause ?? (error as Error).message);
			return {t, reachable: false, error: reason, values: {}};
		} finally {
			this.#busy = false;
		}
	}
}
