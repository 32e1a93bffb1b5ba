import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import type {IncomingMessage} from 'node:http';
import {createSseClient, type SseClientOptions} from '../../source/engine/sse-client.js';
import type {RequestPlan} from '../../source/engine/request-stream.js';
import {fillBody} from '../../source/config-request.js';
import {eventStreamHeaders, startTestServer, waitFor, type Handler} from '../helpers/http-server.js';
import {createRecordingSink} from '../helpers/recording-sink.js';

function plan(overrides: Partial<RequestPlan> & {template?: string} = {}): RequestPlan {
	const {template, ...rest} = overrides;
	return {
		method: 'POST',
		body: template === undefined ? () => undefined : (client, iteration) => fillBody(template, client, iteration),
		contentType: template === undefined ? undefined : 'application/json',
		untilData: '[DONE]',
		untilEvent: undefined,
		then: 'repeat',
		thinkMs: 0,
		streamTimeoutMs: undefined,
		...rest,
	};
}

async function readBody(request: IncomingMessage): Promise<string> {
	const chunks: Buffer[] = [];
	for await (const chunk of request) {
		chunks.push(chunk as Buffer);
	}

	return Buffer.concat(chunks).toString('utf8');
}

async function withClient(handler: Handler, options: Partial<SseClientOptions>, body: (context: {sink: ReturnType<typeof createRecordingSink>; server: Awaited<ReturnType<typeof startTestServer>>; finished: Promise<void>}) => Promise<void>) {
	const server = await startTestServer(handler);
	const sink = createRecordingSink();
	const client = createSseClient({
		id: 7, url: server.url(), headers: {}, insecure: false, sink,
		timeoutMs: 2000, retryMs: 50, maxBackoffMs: 1000, maxEventSize: 1 << 20,
		...options,
	});
	const finished = client.start();
	try {
		await body({sink, server, finished});
	} finally {
		await client.stop();
		await server.close();
	}
}

describe('request streams', () => {
	test('POST bodies arrive as sent, placeholders filled per request, with Content-Type and Content-Length', async () => {
		const bodies: Array<{method: string; type: string | undefined; length: string | undefined; body: string}> = [];
		await withClient((request, response) => {
			void readBody(request).then(body => {
				bodies.push({method: request.method!, type: request.headers['content-type'], length: request.headers['content-length'], body});
				eventStreamHeaders(response);
				response.end('data: one\n\ndata: [DONE]\n\n');
			});
		}, {plan: plan({template: '{"user":"{{client}}","turn":{{iteration}},"text":"héllo"}'})}, async ({sink}) => {
			await waitFor(() => sink.of('stream').length >= 3, 3000, 'three streams');
			assert.deepEqual(bodies.slice(0, 3).map(item => item.body), [
				'{"user":"7","turn":1,"text":"héllo"}',
				'{"user":"7","turn":2,"text":"héllo"}',
				'{"user":"7","turn":3,"text":"héllo"}',
			]);
			assert.equal(bodies[0]!.method, 'POST');
			assert.equal(bodies[0]!.type, 'application/json');
			assert.equal(bodies[0]!.length, String(Buffer.byteLength(bodies[0]!.body)));
		});
	});

	test('[DONE] ends a stream the server keeps open, and --then repeat opens the next at once, without Last-Event-ID', async () => {
		await withClient((_request, response) => {
			eventStreamHeaders(response);
			response.write('id: 1\ndata: a\n\nid: 2\ndata: [DONE]\n\nid: 3\ndata: after the marker\n\n'); // never ended by the server
		}, {plan: plan()}, async ({sink, server}) => {
			await waitFor(() => sink.of('stream').length >= 3, 3000, 'three streams');
			const streams = sink.of('stream').slice(0, 3);
			assert.deepEqual(streams.map(item => item.outcome), ['marker', 'marker', 'marker']);
			assert.deepEqual(streams.map(item => item.request), [1, 2, 3]);
			assert.deepEqual(streams.map(item => item.events), [2, 2, 2]);
			assert.equal(sink.of('event').some(event => event.data === 'after the marker'), false);
			assert.equal(sink.of('reconnect').length, 0);
			assert.equal(server.requests[1]!.headers['last-event-id'], undefined);
			assert.equal(sink.of('connecting')[1]!.fresh, true);
		});
	});

	test('time to first event moves by the server\'s delay before the first event', async () => {
		const ttfe = async (delayMs: number) => {
			let measured = -1;
			await withClient((_request, response) => {
				eventStreamHeaders(response);
				setTimeout(() => response.end('data: x\n\ndata: [DONE]\n\n'), delayMs);
			}, {plan: plan({then: 'stop'})}, async ({sink, finished}) => {
				await finished;
				measured = sink.of('stream')[0]!.ttfeMs!;
			});
			return measured;
		};

		const quick = await ttfe(0);
		const delayed = await ttfe(300);
		assert.ok(delayed >= 300, `TTFE with a 300 ms delay was ${delayed} ms`);
		assert.ok(delayed - quick >= 250, `TTFE moved by ${delayed - quick} ms, not ~300`);
	});

	test('a stream cut in the middle counts as cut, not completed, and the client tries again', async () => {
		await withClient((_request, response) => {
			eventStreamHeaders(response); // chunked: a destroyed socket is not a clean end
			response.write('data: one\n\n');
			setTimeout(() => response.socket?.destroy(), 20);
		}, {plan: plan()}, async ({sink}) => {
			await waitFor(() => sink.of('stream').length >= 2, 3000, 'two streams');
			assert.equal(sink.of('stream')[0]!.outcome, 'cut');
			assert.equal(sink.of('stream')[0]!.events, 1);
			assert.equal(sink.of('error')[0]!.error, 'stream');
			assert.ok(sink.of('reconnect').length >= 1, 'a failed stream backs off as a reconnect');
		});
	});

	test('a clean end without the marker asked for is cut; without a marker asked for it is a clean end', async () => {
		const outcome = async (untilData: string | undefined) => {
			let seen = '';
			await withClient((_request, response) => {
				eventStreamHeaders(response);
				response.end('data: one\n\n');
			}, {plan: plan({untilData, then: 'stop'})}, async ({sink, finished}) => {
				await finished;
				seen = sink.of('stream')[0]!.outcome;
				assert.equal(sink.of('close').at(-1)!.final, true);
			});
			return seen;
		};

		assert.equal(await outcome('[DONE]'), 'cut');
		assert.equal(await outcome(undefined), 'clean');
	});

	test('--until-event ends on the event type; --then stop ends the client after one stream', async () => {
		await withClient((_request, response) => {
			eventStreamHeaders(response);
			response.write('data: a\n\nevent: done\ndata: {}\n\n');
		}, {plan: plan({untilData: undefined, untilEvent: 'done', then: 'stop'})}, async ({sink, server, finished}) => {
			await finished;
			assert.equal(server.requests.length, 1);
			assert.equal(sink.of('stream')[0]!.outcome, 'marker');
		});
	});

	test('--stream-timeout cuts a stream that does not finish, counted as timeout', async () => {
		await withClient((_request, response) => {
			eventStreamHeaders(response);
			response.write('data: a\n\n');
		}, {plan: plan({then: 'stop', streamTimeoutMs: 150})}, async ({sink, finished}) => {
			await finished;
			const [stream] = sink.of('stream');
			assert.equal(stream!.outcome, 'timeout');
			assert.ok(stream!.durationMs >= 140, `ended after ${stream!.durationMs} ms`);
			assert.equal(sink.of('error')[0]!.error, 'timeout');
		});
	});

	test('a 307 keeps the POST and its body, a 303 turns it into a GET without one', async () => {
		const seen: string[] = [];
		await withClient((request, response, attempt) => {
			void readBody(request).then(body => {
				seen.push(`${request.method} ${request.url} ${body}`);
				if (attempt === 1) {
					response.writeHead(307, {location: '/kept'}).end();
				} else if (attempt === 2) {
					response.writeHead(303, {location: '/other'}).end();
				} else {
					eventStreamHeaders(response);
					response.end('data: [DONE]\n\n');
				}
			});
		}, {plan: plan({template: '{"a":1}', then: 'stop'})}, async ({finished}) => {
			await finished;
			assert.deepEqual(seen, ['POST /stream {"a":1}', 'POST /kept {"a":1}', 'GET /other ']);
		});
	});
});
