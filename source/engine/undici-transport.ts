/**
 * SSE streams through undici, for what the fast HTTP/1.1 reader (http-stream.ts) does not do: an
 * HTTP proxy (CONNECT, undici's ProxyAgent), HTTP/2 (ALPN over TLS, prior knowledge over plain
 * TCP), and compressed bodies (gzip, br, deflate, decoded with node:zlib). It reads ~25 % slower
 * per event than the fast reader (bench/sse-ingest.ts), so run.ts loads it only when a run asks.
 */
import zlib from 'node:zlib';
import {Agent, Client, Pool, ProxyAgent, interceptors, type Dispatcher} from 'undici';
import type {Config} from '../config.js';
import {defaultStreamsPerConnection, type TransportConfig} from '../config-request.js';
import {AttemptError, checkResponseHead, done, maxRedirections, streaming, waiting, type Outcome} from './sse-attempt.js';
import type {AttemptFactory, ClientAttempt, SseClient} from './sse-client.js';
import {SseParseError} from './sse-parser.js';
import {explainSocketError} from './http-stream.js';

export type UndiciTransport = AttemptFactory & {
	counts(): {connections: number; streams: number};
	close(): Promise<void>;
};

export function createUndiciTransport(config: Config, transport: TransportConfig): UndiciTransport {
	const target = new URL(config.url);
	let connections = 0;
	let streams = 0;
	const counted = <T extends Dispatcher>(dispatcher: T): T => {
		dispatcher.on('connect', () => {
			connections++;
		});
		return dispatcher;
	};

	// SSE streams are quiet for long stretches: no body timeout; --timeout covers the headers.
	const common = {
		bodyTimeout: 0,
		headersTimeout: 0,
		allowH2: transport.http2,
		connect: {rejectUnauthorized: !config.insecure},
		...(config.shape.localAddresses.length > 0 ? {localAddress: config.shape.localAddresses[0]} : {}),
	};
	const closers: Dispatcher[] = [];
	let pick: (client: number) => Dispatcher;
	if (transport.proxy !== undefined) {
		const proxy = new ProxyAgent({uri: transport.proxy, proxyTunnel: true, ...common, requestTls: {rejectUnauthorized: !config.insecure}, factory: (origin, options) => counted(new Pool(origin, options))});
		closers.push(proxy);
		pick = () => proxy;
	} else if (transport.http2) {
		// One undici Client per group of N clients: exactly one connection each, N streams on it.
		const perConnection = transport.streamsPerConnection ?? defaultStreamsPerConnection;
		const groups: Client[] = [];
		pick = client => {
			const index = Math.floor((client - 1) / perConnection);
			let group = groups[index];
			if (group === undefined) {
				// useH2c (prior knowledge over http://) is in undici 7 but not in its types.
				group = counted(new Client(target.origin, {...common, useH2c: target.protocol === 'http:', maxConcurrentStreams: perConnection, pipelining: perConnection} as Client.Options));
				groups[index] = group;
				closers.push(group);
			}

			return group;
		};
	} else {
		const agent = new Agent({...common, factory: (origin, options) => counted(new Pool(origin, options))});
		closers.push(agent);
		pick = () => agent;
	}

	const redirect = interceptors.redirect({maxRedirections});
	return {
		attempt(client) {
			streams++;
			return new UndiciAttempt(client, pick(client.id).compose(redirect), target, transport.compressed);
		},
		counts: () => ({connections, streams}),
		async close() {
			await Promise.all(closers.map(async dispatcher => dispatcher.destroy().catch(() => undefined)));
		},
	};
}

type Decoder = zlib.Gunzip | zlib.BrotliDecompress | zlib.Inflate;

function decoderFor(encoding: string): Decoder | undefined | false {
	switch (encoding.trim().toLowerCase()) {
		case '':
		case 'identity': { return undefined; }
		case 'gzip':
		case 'x-gzip': { return zlib.createGunzip(); }
		case 'br': { return zlib.createBrotliDecompress(); }
		case 'deflate': { return zlib.createInflate(); }
		default: { return false; }
	}
}

/** One request through undici, as sse-attempt.ts's Attempt is one on the fast reader. */
class UndiciAttempt implements ClientAttempt, Dispatcher.DispatchHandler {
	state = waiting;
	timer: NodeJS.Timeout | undefined = undefined;
	controller: Dispatcher.DispatchController | undefined = undefined;
	decoder: Decoder | undefined = undefined;
	readonly started = performance.now();

	constructor(readonly client: SseClient, readonly dispatcher: Dispatcher, readonly target: URL, readonly compressed: boolean) {}

	begin(): void {
		const {client} = this;
		this.timer = setTimeout(() => {
			this.timer = undefined;
			this.fail(new AttemptError('timeout', `no response headers within ${client.timeoutMs}ms`));
		}, client.timeoutMs);
		const headers = client.requestHeaders(false, 0);
		if (this.compressed) {
			headers['accept-encoding'] = 'gzip, br, deflate';
		}

		const request = client.stream;
		const options: Dispatcher.DispatchOptions = {
			origin: this.target.origin,
			path: this.target.pathname + this.target.search,
			method: (request?.method ?? 'GET') as Dispatcher.HttpMethod,
			headers: request === undefined ? headers : request.headers(headers),
			body: request?.body ?? null,
		};
		try {
			this.dispatcher.dispatch(options, this);
		} catch (error) {
			this.fail(new AttemptError('connect', describe(error)));
		}
	}

	complete(): void {
		if (this.state === streaming) {
			this.settle('marker');
		}
	}

	cancel(): void {
		this.end();
	}

	fail(error: AttemptError): void {
		if (this.state !== done) {
			this.settle(error);
		}
	}

	private end(): void {
		this.state = done;
		if (this.timer !== undefined) {
			clearTimeout(this.timer);
			this.timer = undefined;
		}

		if (this.controller !== undefined && !this.controller.aborted) {
			this.controller.abort(new Error('closed by the client'));
		}

		this.decoder?.destroy();
		this.decoder = undefined;
	}

	private settle(outcome: Outcome): void {
		this.end();
		this.client.settled(this, outcome);
	}

	onRequestStart(controller: Dispatcher.DispatchController): void {
		this.controller = controller;
		if (this.state === done) {
			controller.abort(new Error('closed by the client'));
		}
	}

	onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>): void {
		if (this.state !== waiting) {
			return;
		}

		const header = (name: string) => {
			const value = headers[name];
			return Array.isArray(value) ? value.join(', ') : value ?? '';
		};

		const verdict = checkResponseHead(statusCode, header('content-type'));
		if (verdict === 'no-content') {
			this.settle('no-content');
			return;
		}

		if (verdict !== 'open') {
			this.fail(verdict);
			return;
		}

		const decoder = this.compressed ? decoderFor(header('content-encoding')) : undefined;
		if (decoder === false) {
			this.fail(new AttemptError('content-type', `cannot decode Content-Encoding "${header('content-encoding')}" (gzip, br and deflate are decoded)`, statusCode));
			return;
		}

		if (this.timer !== undefined) {
			clearTimeout(this.timer);
			this.timer = undefined;
		}

		this.state = streaming;
		if (decoder !== undefined) {
			this.decoder = decoder;
			decoder.on('data', (chunk: Buffer) => {
				this.parse(chunk);
			});
			decoder.on('error', (error: Error) => {
				this.fail(new AttemptError('stream', `Content-Encoding: ${error.message}`));
			});
			decoder.on('end', () => {
				this.ended();
			});
		}

		this.client.opened(statusCode, this.started);
	}

	onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
		if (this.state !== streaming) {
			return;
		}

		this.client.sink.bytes(this.client.id, chunk.length);
		if (this.decoder === undefined) {
			this.parse(chunk);
		} else {
			this.decoder.write(chunk);
		}
	}

	onResponseEnd(): void {
		if (this.state !== streaming) {
			return;
		}

		if (this.decoder === undefined) {
			this.ended();
		} else {
			this.decoder.end();
		}
	}

	onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
		if (this.state !== done) {
			this.settle(new AttemptError(this.state === streaming ? 'stream' : 'connect', describe(explainSocketError(error))));
		}
	}

	private parse(chunk: Buffer): void {
		const {client} = this;
		client.readClock = -1;
		try {
			client.parser.feed(chunk);
		} catch (error) {
			if (this.state === streaming) {
				this.fail(error instanceof SseParseError ? new AttemptError('too-large', error.message) : new AttemptError('stream', describe(error)));
			}
		}
	}

	private ended(): void {
		if (this.state === streaming) {
			this.client.parser.end();
			this.settle('ended');
		}
	}
}

function describe(error: unknown): string {
	if (error instanceof Error) {
		const cause = (error as {cause?: unknown}).cause;
		if (cause instanceof Error && cause.message && !error.message.includes(cause.message)) {
			return `${error.message}: ${cause.message}`;
		}

		return error.message || (error as {code?: string}).code || error.name;
	}

	return String(error);
}
