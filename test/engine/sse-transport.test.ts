import assert from 'node:assert/strict';
import {once} from 'node:events';
import net, {type Socket} from 'node:net';
import {describe, test} from 'node:test';
import tls from 'node:tls';
import {parseTarget, requestHead} from '../../source/engine/http-request.js';
import {explainSocketError, HttpStream} from '../../source/engine/http-stream.js';
import {createSseClient, type SseClientOptions} from '../../source/engine/sse-client.js';
import {waitFor} from '../helpers/http-server.js';
import {chunk, requestHeader, sseHead, startRawServer, testCertificate, type RawHandler, type RawServer} from '../helpers/raw-http-server.js';
import {createRecordingSink} from '../helpers/recording-sink.js';

// The SSE client's own HTTP/1.1 transport (http-stream.ts) against servers that write exact bytes.

type Context = {sink: ReturnType<typeof createRecordingSink>; server: RawServer};

async function withClient(handler: RawHandler, options: Partial<SseClientOptions> & {secure?: boolean; host?: string}, body: (context: Context) => Promise<void>): Promise<void> {
	const {secure, host, ...clientOptions} = options;
	const server = await startRawServer(handler, {secure, host});
	const sink = createRecordingSink();
	const client = createSseClient({
		id: 1, url: server.url(), headers: {}, insecure: false, sink,
		timeoutMs: 2000, retryMs: 60_000, maxBackoffMs: 60_000, maxEventSize: 1 << 20,
		...clientOptions,
	});
	void client.start();
	try {
		await body({sink, server});
	} finally {
		await client.stop();
		await server.close();
	}
}

const datas = (sink: Context['sink']) => sink.of('event').map(event => event.data);
const pause = async (ms: number) => new Promise(resolve => {
	setTimeout(resolve, ms);
});

/** Writes each piece in its own TCP segment (Nagle off, a pause between writes). */
async function writeApart(socket: Socket, pieces: string[]): Promise<void> {
	socket.setNoDelay(true);
	for (const piece of pieces) {
		socket.write(piece);
		// eslint-disable-next-line no-await-in-loop
		await pause(15);
	}
}

describe('SSE client over its HTTP/1.1 transport', () => {
	test('chunked body: events split across chunks and chunks split across reads; the last chunk ends the stream', async () => {
		await withClient((socket, _request, attempt) => {
			if (attempt > 1) {
				return;
			}

			const body = chunk('id: 1\ndata: one\n\nda', ';ext=1') + chunk('ta: two\n\n') + chunk('data: é€\n\n');
			void writeApart(socket, [`${sseHead}Transfer-Encoding: chunked\r\n\r\n`, body.slice(0, 3), body.slice(3, 20), body.slice(20, 41), body.slice(41), '0\r\nX-Trailer: t\r\n', '\r\n']);
		}, {retryMs: 50}, async ({sink, server}) => {
			await waitFor(() => server.requests.length === 2, 3000, 'the reconnect after the last chunk');
			assert.deepEqual(datas(sink), ['one', 'two', 'é€']);
			assert.equal(sink.of('close')[0]!.reason, 'stream ended by server');
			assert.equal(sink.of('error').length, 0);
			assert.equal(requestHeader(server.requests[1]!, 'last-event-id'), '1');
		});
	});

	test('Content-Length body: the stream ends after that many bytes though the connection stays open', async () => {
		const body = 'data: a\n\ndata: b\n\n';
		await withClient((socket, _request, attempt) => {
			if (attempt === 1) {
				// Twice the promised bytes: what lies past Content-Length is not an event.
				socket.write(`${sseHead}Content-Length: ${body.length}\r\n\r\n${body}${body}`);
			}
		}, {retryMs: 50}, async ({sink, server}) => {
			await waitFor(() => server.requests.length === 2, 3000, 'the reconnect');
			assert.deepEqual(datas(sink), ['a', 'b']);
			assert.equal(sink.of('error').length, 0);
		});
	});

	test('close-delimited body: events until the server closes', async () => {
		await withClient((socket, _request, attempt) => {
			if (attempt === 1) {
				void writeApart(socket, [`${sseHead}\r\ndata: x\n`, '\ndata: y\n\n', 'data: cut']).then(() => socket.end());
			}
		}, {retryMs: 50}, async ({sink, server}) => {
			await waitFor(() => server.requests.length === 2, 3000, 'the reconnect');
			assert.deepEqual(datas(sink), ['x', 'y']);
			assert.equal(sink.of('close')[0]!.reason, 'stream ended by server');
		});
	});

	test('a chunked body cut off mid-chunk is a stream error, and the client reconnects', async () => {
		await withClient((socket, _request, attempt) => {
			if (attempt === 1) {
				socket.end(`${sseHead}Transfer-Encoding: chunked\r\n\r\n${chunk('data: 1\n\n')}20\r\ndata: par`);
			}
		}, {retryMs: 50}, async ({sink, server}) => {
			await waitFor(() => server.requests.length === 2, 3000, 'the reconnect');
			assert.deepEqual(datas(sink), ['1']);
			const [error] = sink.of('error');
			assert.equal(error!.error, 'stream');
			assert.match(error!.message, /closed the connection in the middle of the response body/);
		});
	});

	test('bad chunk framing is a stream error naming the fault', async () => {
		await withClient((socket, _request, attempt) => {
			if (attempt === 1) {
				socket.write(`${sseHead}Transfer-Encoding: chunked\r\n\r\n${chunk('data: 1\n\n')}zz\r\n`);
			}
		}, {retryMs: 50}, async ({sink}) => {
			await waitFor(() => sink.of('error').length === 1, 3000, 'the error');
			assert.deepEqual(datas(sink), ['1']);
			assert.deepEqual([sink.of('error')[0]!.error, sink.of('error')[0]!.message], ['stream', 'bad chunk size: expected a hex digit, got "z"']);
		});
	});

	test('a response that is not HTTP, and one with a 64 KiB head, are connect errors that say why', async () => {
		const answers = ['SSH-2.0-OpenSSH_9.6\r\n\r\n', `${sseHead}${'X-Filler: xxxxxxxxxxxxxxxx\r\n'.repeat(2500)}\r\n`];
		for (const [index, answer] of answers.entries()) {
			// eslint-disable-next-line no-await-in-loop
			await withClient(socket => {
				socket.write(answer);
			}, {}, async ({sink}) => {
				await waitFor(() => sink.of('error').length === 1, 3000, 'the error');
				assert.equal(sink.of('error')[0]!.error, 'connect');
				assert.match(sink.of('error')[0]!.message, index === 0 ? /not an HTTP\/1\.x status line: "SSH-2\.0-OpenSSH_9\.6"/ : /response head larger than 65536 bytes/);
				assert.equal(sink.of('open').length, 0);
			});
		}
	});

	test('a server that closes before answering is a connect error', async () => {
		await withClient(socket => {
			socket.end('HTTP/1.1 200 OK\r\nContent-Ty');
		}, {}, async ({sink}) => {
			await waitFor(() => sink.of('error').length === 1, 3000, 'the error');
			assert.deepEqual([sink.of('error')[0]!.error, sink.of('error')[0]!.message], ['connect', 'the server closed the connection before the response headers']);
		});
	});

	test('a name whose every address refused says so for each', () => {
		const refused = (address: string) => Object.assign(new Error(`connect ECONNREFUSED ${address}`), {code: 'ECONNREFUSED'});
		const error = Object.assign(new AggregateError([refused('::1:3000'), refused('127.0.0.1:3000')]), {code: 'ECONNREFUSED'});
		assert.equal(explainSocketError(error).message, 'connect ECONNREFUSED ::1:3000; connect ECONNREFUSED 127.0.0.1:3000');
		assert.equal(explainSocketError(Object.assign(new Error(''), {code: 'EPIPE'})).message, 'EPIPE');
	});

	test('the framing of a body it never reads is no error: a redirect or an error page may be odd', async () => {
		await withClient((socket, request) => {
			if (request.head.startsWith('GET /stream ')) {
				socket.write('HTTP/1.1 302 Found\r\nLocation: /error\r\nTransfer-Encoding: gzip, chunked\r\n\r\n');
			} else {
				socket.write('HTTP/1.1 500 Oops\r\nContent-Length: 3, 4\r\n\r\nabc');
			}
		}, {}, async ({sink, server}) => {
			await waitFor(() => sink.of('error').length === 1, 3000, 'the error');
			assert.equal(server.requests.length, 2);
			assert.deepEqual([sink.of('error')[0]!.error, sink.of('error')[0]!.status], ['status', 500]);
		});
	});

	test('a stream whose body cannot be framed never opens: a connect error naming the reason, then backoff', async () => {
		await withClient(socket => {
			socket.write(`${sseHead}Transfer-Encoding: gzip, chunked\r\n\r\n`);
		}, {retryMs: 50}, async ({sink}) => {
			await waitFor(() => sink.of('error').length === 2, 3000, 'two errors');
			assert.deepEqual([sink.of('error')[0]!.error, sink.of('error')[0]!.message], ['connect', 'unsupported Transfer-Encoding "gzip, chunked"']);
			assert.equal(sink.of('open').length, 0);
			const delays = sink.of('reconnect').map(reconnect => reconnect.delayMs);
			assert.ok(delays.length >= 2 && delays[1]! > delays[0]!, `the delay grows: ${delays.join(', ')}`);
		});
	});

	test('skips interim 1xx responses', async () => {
		await withClient(socket => {
			socket.write(`HTTP/1.1 103 Early Hints\r\nLink: </style.css>\r\n\r\n${sseHead}\r\ndata: after hints\n\n`);
		}, {}, async ({sink}) => {
			await waitFor(() => sink.of('event').length === 1, 3000, 'the event');
			assert.equal(sink.of('open')[0]!.status, 200);
			assert.deepEqual(datas(sink), ['after hints']);
		});
	});

	test('sends GET with Host (port included), the EventSource headers and the user\'s, one request per connection', async () => {
		await withClient(socket => {
			socket.write(`${sseHead}\r\n`);
		}, {headers: {'x-api-key': 'k'}}, async ({sink, server}) => {
			await waitFor(() => sink.of('open').length === 1, 3000, 'open');
			const [request] = server.requests;
			assert.equal(request!.head.split('\r\n')[0], 'GET /stream HTTP/1.1');
			assert.equal(requestHeader(request!, 'host'), `127.0.0.1:${server.port}`);
			assert.equal(requestHeader(request!, 'accept'), 'text/event-stream');
			assert.equal(requestHeader(request!, 'cache-control'), 'no-cache');
			assert.equal(requestHeader(request!, 'x-api-key'), 'k');
		});
	});

	test('a redirect is followed at once, on a new connection, without reading the redirect\'s body', async () => {
		await withClient((socket, request) => {
			if (request.head.startsWith('GET /stream ')) {
				// A body that never ends: the client must not wait for it.
				socket.write('HTTP/1.1 302 Found\r\nLocation: /next\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n');
				return;
			}

			socket.write(`${sseHead}\r\ndata: moved\n\n`);
		}, {}, async ({sink, server}) => {
			await waitFor(() => sink.of('event').length === 1, 3000, 'the event');
			assert.deepEqual(server.requests.map(request => request.head.split('\r\n')[0]), ['GET /stream HTTP/1.1', 'GET /next HTTP/1.1']);
			assert.equal(sink.of('error').length, 0);
		});
	});

	test('https: a self-signed certificate is a connect error that names --insecure, and accepted with it', async () => {
		await withClient(socket => {
			socket.write(`${sseHead}\r\ndata: secret\n\n`);
		}, {secure: true}, async ({sink, server}) => {
			await waitFor(() => sink.of('error').length === 1, 3000, 'the TLS error');
			assert.equal(sink.of('error')[0]!.error, 'connect');
			assert.match(sink.of('error')[0]!.message, /^TLS: self[- ]signed certificate.*\(--insecure accepts it\)$/);
			assert.equal(server.requests.length, 0);
		});
		await withClient(socket => {
			socket.write(`${sseHead}Transfer-Encoding: chunked\r\n\r\n${chunk('data: secret\n\n')}`);
		}, {secure: true, insecure: true}, async ({sink}) => {
			await waitFor(() => sink.of('event').length === 1, 3000, 'the event');
			assert.deepEqual(datas(sink), ['secret']);
			assert.equal(sink.of('error').length, 0);
		});
	});

	test('https by name: SNI carries the host name and ALPN offers http/1.1', async () => {
		const seen: Array<{servername: string | false; alpn: string | false | null}> = [];
		const server = tls.createServer({...testCertificate, ALPNProtocols: ['h2', 'http/1.1']}, socket => {
			seen.push({servername: (socket as tls.TLSSocket & {servername: string | false}).servername, alpn: socket.alpnProtocol});
			socket.once('data', () => socket.write(`${sseHead}\r\ndata: hi\n\n`));
			socket.on('error', () => undefined);
		});
		server.listen(0, '127.0.0.1');
		await once(server, 'listening');
		const {port} = server.address() as net.AddressInfo;
		const sink = createRecordingSink();
		// `localhost` may resolve to ::1 first, where nothing listens: the client tries 127.0.0.1 too.
		// The certificate is self-signed, hence --insecure; SNI and ALPN do not depend on it.
		const client = createSseClient({id: 1, url: `https://localhost:${port}/s`, headers: {}, insecure: true, sink, timeoutMs: 3000, retryMs: 60_000, maxBackoffMs: 60_000, maxEventSize: 1024});
		void client.start();
		try {
			await waitFor(() => sink.of('event').length === 1 || sink.of('error').length > 0, 5000, 'the event');
			assert.deepEqual(sink.of('error'), []);
			assert.deepEqual(seen, [{servername: 'localhost', alpn: 'http/1.1'}]);
		} finally {
			await client.stop();
			server.close();
		}
	});

	test('https: a server that never finishes the handshake is a timeout', async () => {
		const server = net.createServer(socket => {
			socket.on('error', () => undefined);
		});
		server.listen(0, '127.0.0.1');
		await once(server, 'listening');
		const {port} = server.address() as net.AddressInfo;
		const sink = createRecordingSink();
		const client = createSseClient({id: 1, url: `https://127.0.0.1:${port}/s`, headers: {}, insecure: true, sink, timeoutMs: 200, retryMs: 60_000, maxBackoffMs: 60_000, maxEventSize: 1024});
		void client.start();
		try {
			await waitFor(() => sink.of('error').length === 1, 3000, 'the timeout');
			assert.deepEqual([sink.of('error')[0]!.error, sink.of('error')[0]!.message], ['timeout', 'no response headers within 200ms']);
		} finally {
			await client.stop();
			server.close();
		}
	});

	test('an IPv6 literal URL connects to it, with the brackets in Host', async context => {
		let server: RawServer;
		try {
			server = await startRawServer(socket => {
				socket.write(`${sseHead}\r\ndata: v6\n\n`);
			}, {host: '::1'});
		} catch {
			context.skip('no IPv6 loopback here');
			return;
		}

		const sink = createRecordingSink();
		const client = createSseClient({id: 1, url: server.url(), headers: {}, insecure: false, sink, timeoutMs: 2000, retryMs: 60_000, maxBackoffMs: 60_000, maxEventSize: 1024});
		void client.start();
		try {
			await waitFor(() => sink.of('event').length === 1, 3000, 'the event');
			assert.equal(requestHeader(server.requests[0]!, 'host'), `[::1]:${server.port}`);
		} finally {
			await client.stop();
			await server.close();
		}
	});

	test('stop() during a TLS stream closes its connection', async () => {
		let closed = false;
		const server = await startRawServer(socket => {
			socket.write(`${sseHead}\r\ndata: x\n\n`);
			socket.on('close', () => {
				closed = true;
			});
		}, {secure: true});
		const sink = createRecordingSink();
		const client = createSseClient({id: 1, url: server.url(), headers: {}, insecure: true, sink, timeoutMs: 2000, retryMs: 60_000, maxBackoffMs: 60_000, maxEventSize: 1024});
		void client.start();
		try {
			await waitFor(() => sink.of('event').length === 1, 3000, 'the event');
			await client.stop();
			await waitFor(() => closed, 2000, 'the server to see the close');
			assert.deepEqual(sink.of('close').map(close => [close.reason, close.final]), [['stopped', true]]);
		} finally {
			await server.close();
		}
	});

	test('a handler that says stop on body data hears nothing more, and the connection closes', async () => {
		let closed = false;
		const server = await startRawServer(socket => {
			socket.on('close', () => {
				closed = true;
			});
			void writeApart(socket, [`${sseHead}Transfer-Encoding: chunked\r\n\r\n`, chunk('data: 1\n\n'), chunk('data: 2\n\n')]);
		});
		const heard: string[] = [];
		const stream = new HttpStream(parseTarget(server.url()), requestHead(parseTarget(server.url()), {}), {
			onResponseHead: () => true,
			onResponseData(buffer, start, end) {
				heard.push(buffer.toString('latin1', start, end));
				return false;
			},
			onResponseEnd() {
				heard.push('end');
			},
			onResponseError(error) {
				heard.push(`error: ${error.message}`);
			},
		}, {insecure: false});
		try {
			await waitFor(() => closed, 3000, 'the server to see the close');
			await pause(50);
			assert.deepEqual(heard, ['data: 1\n\n']);
		} finally {
			stream.close();
			await server.close();
		}
	});
});
