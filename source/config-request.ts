import {readFileSync} from 'node:fs';
import {UsageError} from './errors.js';
import {proxyFor, type Environment} from './proxy-env.js';
import {redactUrl} from './redact.js';
import {parseDuration, parseInteger} from './units.js';

/** What a stream ending leads to: reconnect as EventSource does, send the next request at once, or stop the client. */
export const thenActions = ['reconnect', 'repeat', 'stop'] as const;
export type ThenAction = typeof thenActions[number];

/**
 * Request streams (`--method`, `--body`, `--until-data`, …): set when any of their flags is
 * given, undefined for the long-lived GET stream (which then runs exactly as before).
 */
export type RequestConfig = Readonly<{
	method: string;
	/** body templates with {{client}} / {{iteration}}, taken in turn (one, or one per line of --body-file); empty: no body */
	bodies: readonly string[];
	/** the Content-Type sent with a body (undefined: a --header gave one, or no body) */
	contentType: string | undefined;
	/** a stream ends when an event's data is exactly this (`[DONE]`) */
	untilData: string | undefined;
	/** …or when an event of this type arrives */
	untilEvent: string | undefined;
	then: ThenAction;
	/** --then repeat: wait this long between one stream's end and the next request */
	thinkMs: number;
	/** a stream not ended within this long from its request is cut and counted as `timeout` */
	streamTimeoutMs: number | undefined;
}>;

/** Which code reads the streams: the fast HTTP/1.1 reader, or undici for proxies, HTTP/2 and compression. */
export type TransportConfig = Readonly<{
	/** the proxy (--proxy or the environment, NO_PROXY applied), credentials included: print through redactUrl */
	proxy: string | undefined;
	http2: boolean;
	/** --http2: streams sharing one connection; undefined lets undici multiplex (up to the server's limit) */
	streamsPerConnection: number | undefined;
	/** ask for gzip/br and decode it */
	compressed: boolean;
}>;

export type RequestFlags = {
	method?: string;
	body?: string;
	bodyFile?: string;
	contentType?: string;
	untilData?: string;
	untilEvent?: string;
	then?: string;
	think?: string;
	streamTimeout?: string;
	proxy?: string;
	http2?: boolean;
	streamsPerConnection?: string;
	compressed?: boolean;
};

/** --http2 without --streams-per-connection: undici's default, and Node's HTTP/2 server's stream limit. */
export const defaultStreamsPerConnection = 100;

/** A body of at most this many bytes: a request body, not a file upload. */
const maxBodyBytes = 16 * 1024 * 1024;
const methodToken = /^[!#$%&'*+.^`|~\w-]+$/;

function readBodySource(text: string, flag: string, stdin: () => string): string {
	if (!text.startsWith('@')) {
		return text;
	}

	const path = text.slice(1);
	if (path === '') {
		throw new UsageError(`${flag} @FILE needs a file name, or @- for stdin (got "@")`);
	}

	let body: string;
	try {
		body = path === '-' ? stdin() : readFileSync(path, 'utf8');
	} catch (error) {
		throw new UsageError(`${flag} ${text}: cannot read ${path === '-' ? 'stdin' : path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); give a readable file`);
	}

	if (Buffer.byteLength(body) > maxBodyBytes) {
		throw new UsageError(`${flag} ${text}: the body is over 16 MiB; send a smaller one`);
	}

	return body;
}

/** --body-file: NDJSON, one body per non-blank line; with a JSON content type every line must parse. */
function readBodyLines(path: string, json: boolean, stdin: () => string): string[] {
	const text = readBodySource(`@${path}`, '--body-file', stdin);
	const lines = text.split(/\r?\n/).filter(line => line.trim() !== '');
	if (lines.length === 0) {
		throw new UsageError(`--body-file ${path} has no bodies: put one request body per line (NDJSON)`);
	}

	if (json) {
		for (const [index, line] of lines.entries()) {
			try {
				JSON.parse(line.replaceAll(/\{\{(?:client|iteration)\}\}/g, '0'));
			} catch {
				throw new UsageError(`--body-file ${path}: line ${index + 1} is not JSON (NDJSON: one JSON body per line), or pass --content-type for another format`);
			}
		}
	}

	return lines;
}

export type RequestResolution = {request: RequestConfig | undefined; transport: TransportConfig | undefined};

/** The request-stream and transport flags; `headers` are the --header values (lowercase names). */
export function resolveRequest(flags: RequestFlags, url: string, headers: Readonly<Record<string, string>>, environment: Environment, {websocket = false, stdin = () => readFileSync(0, 'utf8')}: {websocket?: boolean; stdin?: () => string} = {}): RequestResolution {
	const given = (['method', 'body', 'bodyFile', 'contentType', 'untilData', 'untilEvent', 'then', 'think', 'streamTimeout'] as const).filter(name => flags[name] !== undefined);
	const transportGiven = flags.proxy !== undefined || flags.http2 === true || flags.streamsPerConnection !== undefined || flags.compressed === true;
	if (websocket) {
		const first = given[0] ?? (transportGiven ? 'proxy' : undefined);
		if (first !== undefined) {
			throw new UsageError(`--${first.replaceAll(/[A-Z]/g, letter => `-${letter.toLowerCase()}`)} is for SSE streams: drop it, or drop --protocol websocket`);
		}

		return {request: undefined, transport: undefined};
	}

	return {request: given.length === 0 ? undefined : requestConfig(flags, headers, stdin), transport: transportConfig(flags, url, environment)};
}

function requestConfig(flags: RequestFlags, headers: Readonly<Record<string, string>>, stdin: () => string): RequestConfig {
	const method = (flags.method ?? 'GET').toUpperCase();
	if (!methodToken.test(method) || method === 'CONNECT' || method === 'TRACE') {
		throw new UsageError(`--method must be an HTTP method like GET, POST or PUT (got "${flags.method}")`);
	}

	if (flags.body !== undefined && flags.bodyFile !== undefined) {
		throw new UsageError('--body and --body-file both give the request body: keep one');
	}

	const headerType = headers['content-type'];
	const contentTypeText = flags.contentType ?? headerType ?? 'application/json';
	if (/[\0\r\n]/.test(contentTypeText) || contentTypeText.trim() === '') {
		throw new UsageError(`--content-type must be a media type like application/json (got "${flags.contentType}")`);
	}

	const json = /[/+]json\b/i.test(contentTypeText);
	const bodies = flags.body === undefined ? (flags.bodyFile === undefined ? [] : readBodyLines(flags.bodyFile, json, stdin)) : [readBodySource(flags.body, '--body', stdin)];
	const then = flags.then ?? (method === 'GET' ? 'reconnect' : 'repeat');
	if (!(thenActions as readonly string[]).includes(then)) {
		throw new UsageError(`--then must be one of ${thenActions.join(', ')} (got "${then}")`);
	}

	const untilData = flags.untilData;
	const untilEvent = flags.untilEvent;
	if (untilData === '' || untilEvent === '') {
		throw new UsageError(`${untilData === '' ? '--until-data' : '--until-event'} needs the text that ends a stream, like ${untilData === '' ? "'[DONE]'" : 'done'}`);
	}

	if (flags.think !== undefined && then !== 'repeat') {
		throw new UsageError(`--think waits between the requests of --then repeat: add --then repeat, or drop --think (got --then ${then})`);
	}

	return Object.freeze({
		method,
		bodies: Object.freeze(bodies),
		// A --header Content-Type is sent as a header already; --content-type beats it.
		contentType: bodies.length === 0 ? undefined : (flags.contentType === undefined && headerType !== undefined ? undefined : contentTypeText),
		untilData,
		untilEvent,
		then: then as ThenAction,
		thinkMs: flags.think === undefined ? 0 : parseDuration(flags.think, '--think', {allowZero: true}),
		streamTimeoutMs: flags.streamTimeout === undefined ? undefined : parseDuration(flags.streamTimeout, '--stream-timeout'),
	});
}

function transportConfig(flags: RequestFlags, url: string, environment: Environment): TransportConfig | undefined {
	if (flags.proxy !== undefined && flags.proxy !== '') {
		let parsed: URL;
		try {
			parsed = new URL(flags.proxy.includes('://') ? flags.proxy : `http://${flags.proxy}`);
		} catch {
			throw new UsageError(`--proxy must be a URL like http://proxy.example:3128 (got "${redactUrl(flags.proxy)}")`);
		}

		if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
			throw new UsageError(`--proxy must be an http:// or https:// proxy (CONNECT); got ${parsed.protocol}//`);
		}
	}

	if (flags.streamsPerConnection !== undefined && !flags.http2) {
		throw new UsageError('--streams-per-connection shares HTTP/2 connections: add --http2');
	}

	const proxy = proxyFor(new URL(url), flags.proxy, environment);
	if (proxy !== undefined && !/^https?:\/\//i.test(proxy)) {
		throw new UsageError(`the proxy ${redactUrl(proxy)} (from --proxy or the environment) must be http:// or https://; set --proxy '' to go direct`);
	}

	const http2 = Boolean(flags.http2);
	const compressed = Boolean(flags.compressed);
	if (proxy === undefined && !http2 && !compressed) {
		return undefined;
	}

	return Object.freeze({
		proxy,
		http2,
		streamsPerConnection: flags.streamsPerConnection === undefined ? undefined : parseInteger(flags.streamsPerConnection, '--streams-per-connection', 1, 1000),
		compressed,
	});
}

/** `{{client}}` and `{{iteration}}` filled in. */
export function fillBody(template: string, client: number, iteration: number): string {
	return template.includes('{{') ? template.replaceAll('{{client}}', String(client)).replaceAll('{{iteration}}', String(iteration)) : template;
}
