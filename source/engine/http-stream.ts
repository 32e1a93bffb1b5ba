/**
 * One HTTP/1.1 GET on a socket of its own (node:net, or node:tls for https), read as a stream:
 * the response head, then the body as it arrives, until it ends, fails or close() is called.
 * No pool and no keep-alive reuse: an SSE response holds its connection for its whole life.
 */
import net from 'node:net';
import tls from 'node:tls';
import {BodyDecoder, complete, stopped, type BodySink, type DecodeResult} from './http-body.js';
import {ResponseHeadParser, type ResponseHeaders} from './http-head.js';
import type {HttpTarget} from './http-request.js';

export type ResponseHandler = {
	/**
	 * The final response head (1xx interim heads are skipped). Return false to stop reading; true
	 * reads the body, and a body whose framing cannot be read (say, Transfer-Encoding: gzip) then
	 * fails at once, through onResponseError.
	 */
	onResponseHead(status: number, headers: ResponseHeaders): boolean;
	/**
	 * Body bytes buffer[start, end). The buffer is reused for the next read as soon as this
	 * returns: decode or copy, never keep it. Return false to stop reading.
	 */
	onResponseData(buffer: Buffer, start: number, end: number): boolean;
	/** The body ended where its framing says (for a close-delimited body: the connection closed). */
	onResponseEnd(): void;
	/** The connection or the response failed; `afterHead` when onResponseHead was called first. */
	onResponseError(error: Error, afterHead: boolean): void;
};

export type HttpStreamOptions = {
	/** accept any TLS certificate (self-signed, expired, another name) */
	insecure: boolean;
	/** the source address to bind (--local-address); undefined lets the OS choose */
	localAddress?: string | undefined;
};

// Every socket reads into this one buffer (net's `onread`), instead of a fresh 64 KiB buffer per
// read wrapped in a Buffer and pushed through a Readable: reads are handled one at a time, and
// nothing downstream keeps the bytes (the SSE parser decodes them into strings at once).
const readBuffer = Buffer.allocUnsafe(64 * 1024);
const owner = Symbol('HttpStream');
type OwnedSocket = net.Socket & {[owner]: HttpStream};

function onRead(this: OwnedSocket, length: number, buffer: Buffer): boolean {
	return this[owner].read(buffer, length);
}

const onread = {buffer: readBuffer, callback: onRead};

function onError(this: OwnedSocket, error: Error): void {
	this[owner].socketError(error);
}

function onClose(this: OwnedSocket): void {
	this[owner].socketClosed();
}

// What the stream is reading, for `state`.
const head = 0;
const body = 1;
const closed = 2;

export class HttpStream implements BodySink {
	private state = head;
	private headParser: ResponseHeadParser | undefined = new ResponseHeadParser();
	private decoder: BodyDecoder | undefined = undefined;
	private readonly socket: OwnedSocket;

	/** Connects and sends `request` (a request head from requestHead()); answers go to `handler`. */
	constructor(target: HttpTarget, request: string, private readonly handler: ResponseHandler, {insecure, localAddress}: HttpStreamOptions) {
		// tls.connect takes socket.connect()'s options too, `onread` included (not in @types/node).
		const options: tls.ConnectionOptions & net.TcpNetConnectOpts = {host: target.host, port: target.port, onread};
		if (localAddress !== undefined) {
			options.localAddress = localAddress;
		}

		const socket = (target.secure
			? tls.connect({...options, servername: target.servername, ALPNProtocols: ['http/1.1'], rejectUnauthorized: !insecure})
			: net.connect(options)) as OwnedSocket;
		socket[owner] = this;
		// Both apply once connected. Events go out as they come; keep-alive probes find a peer
		// that vanished while the stream was quiet (undici's default delay).
		socket.setNoDelay(true);
		socket.setKeepAlive(true, 60_000);
		socket.on('error', onError);
		socket.on('close', onClose);
		socket.write(request, 'latin1');
		this.socket = socket;
	}

	/** True until the TCP connection is established. */
	get connecting(): boolean {
		return this.socket.connecting;
	}

	/** Close the connection; the handler hears nothing more. */
	close(): void {
		if (this.state !== closed) {
			this.state = closed;
			this.headParser = undefined;
			this.socket.destroy();
		}
	}

	read(buffer: Buffer, length: number): boolean {
		try {
			if (this.state === body) {
				// The steady state: straight to the decoder and, through onBodyData, to the handler.
				this.decoded(this.decoder!.decode(buffer, 0, length, this));
			} else if (this.state === head) {
				this.readHead(buffer, length);
			}
		} catch (error) {
			// Bad framing (HttpParseError), or a handler that threw: either way this response is over.
			this.fail(error as Error);
		}

		return true;
	}

	onBodyData(buffer: Buffer, start: number, end: number): boolean {
		return this.state === body && this.handler.onResponseData(buffer, start, end);
	}

	socketError(error: Error): void {
		if (this.state !== closed) {
			this.fail(explainSocketError(error));
		}
	}

	socketClosed(): void {
		if (this.state === head) {
			this.fail(new Error('the server closed the connection before the response headers'));
		} else if (this.state === body) {
			if (this.decoder!.finished) {
				this.end();
			} else {
				this.fail(new Error('the server closed the connection in the middle of the response body'));
			}
		}
	}

	private readHead(buffer: Buffer, length: number): void {
		let start = 0;
		let status = 0;
		let headers: ResponseHeaders = {};
		const parser = this.headParser!;
		for (;;) {
			start = parser.feed(buffer, start, length);
			if (start === -1) {
				return;
			}

			({status, headers} = parser);
			// Interim 1xx answers (100 Continue, 103 Early Hints) come before the real one; 101 is final.
			if (status >= 200 || status === 101) {
				break;
			}

			parser.reset();
		}

		// A success's body must be readable before the handler hears of it (an SSE client would
		// count an open stream); a redirect's or an error page's is framed only if it is wanted,
		// so odd framing there is no error. Throws HttpParseError while still reading the head.
		let decoder = status >= 200 && status < 300 ? BodyDecoder.forResponse(status, headers) : undefined;
		this.headParser = undefined;
		this.state = body;
		if (!this.handler.onResponseHead(status, headers)) {
			this.close();
			return;
		}

		if (this.state === body) {
			decoder ??= BodyDecoder.forResponse(status, headers);
			this.decoder = decoder;
			this.decoded(decoder.decode(buffer, start, length, this));
		}
	}

	private decoded(result: DecodeResult): void {
		if (result === complete) {
			this.end();
		} else if (result === stopped) {
			// The handler said stop: nothing more of this response is read.
			this.close();
		}
	}

	private end(): void {
		if (this.state === body) {
			this.close();
			this.handler.onResponseEnd();
		}
	}

	private fail(error: Error): void {
		if (this.state === closed) {
			return;
		}

		const afterHead = this.state === body;
		this.close();
		this.handler.onResponseError(error, afterHead);
	}
}

// Certificate failures say how to get past them; everything else keeps Node's own words
// ("connect ECONNREFUSED 127.0.0.1:3000", "getaddrinfo ENOTFOUND example.invalid").
const certificateCodes = new Set(['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID']);

/** A socket error as a user should read it. */
export function explainSocketError(error: Error): Error {
	const {code} = error as {code?: string};
	if (code !== undefined && certificateCodes.has(code)) {
		return new Error(`TLS: ${error.message} (--insecure accepts it)`);
	}

	// A name with several addresses, every one refused (net's autoSelectFamily): an AggregateError without a message.
	if (error instanceof AggregateError && error.message === '' && error.errors.length > 0) {
		return new Error(error.errors.map(inner => (inner instanceof Error ? inner.message : String(inner))).join('; '));
	}

	return error.message === '' ? new Error(code ?? error.name) : error;
}
