import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {HttpParseError, ResponseHeadParser, type ResponseHeaders} from '../../source/engine/http-head.js';
import {forEachSplit, splits, throughReusedBuffer} from '../helpers/splits.js';

type Parsed = {status: number; headers: ResponseHeaders; body: string};

/** Feeds `bytes` in pieces through a reused buffer; returns the head and the bytes after it. */
function parse(pieces: Buffer[], maxHeadBytes?: number): Parsed {
	const parser = new ResponseHeadParser(maxHeadBytes);
	let body: string | undefined;
	for (const {buffer, end} of throughReusedBuffer(pieces)) {
		if (body === undefined) {
			const start = parser.feed(buffer, 0, end);
			if (start !== -1) {
				body = buffer.toString('latin1', start, end);
			}
		} else {
			body += buffer.toString('latin1', 0, end);
		}
	}

	assert.notEqual(body, undefined, 'the head never ended');
	return {status: parser.status, headers: parser.headers, body: body!};
}

describe('HTTP/1.1 response head parser', () => {
	const cases: Array<[string, string, Parsed]> = [
		['reads the status, headers in lower case and where the body starts',
			'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nX-Thing:  spaced  \r\n\r\ndata: x\n\n',
			{status: 200, headers: {'content-type': 'text/event-stream', 'x-thing': 'spaced'}, body: 'data: x\n\n'}],
		['accepts bare LF line ends (RFC 9112 §2.2)',
			'HTTP/1.1 204 No Content\nServer: x\n\nrest',
			{status: 204, headers: {server: 'x'}, body: 'rest'}],
		['accepts a status line without a reason phrase, and HTTP/1.0',
			'HTTP/1.0 302\r\nLocation: /next\r\n\r\n',
			{status: 302, headers: {location: '/next'}, body: ''}],
		['joins repeated fields with ", " and keeps an empty value',
			'HTTP/1.1 200 OK\r\nVary: a\r\nVary: b\r\nX-Empty:\r\nConstructor: c\r\n\r\n',
			{status: 200, headers: {vary: 'a, b', 'x-empty': '', constructor: 'c'}, body: ''}],
		['unfolds obs-fold continuation lines',
			'HTTP/1.1 200 OK\r\nX-Long: one\r\n  two\r\n\r\n',
			{status: 200, headers: {'x-long': 'one two'}, body: ''}],
		['stops at the first blank line: what follows is body',
			'HTTP/1.1 200 OK\r\nA: 1\r\n\r\n\r\n',
			{status: 200, headers: {a: '1'}, body: '\r\n'}],
	];
	for (const [name, text, expected] of cases) {
		test(name, () => {
			forEachSplit(text, pieces => {
				assert.deepEqual(parse(pieces), expected);
			});
		});
	}

	test('reset() reads a second head after an interim 1xx one', () => {
		const parser = new ResponseHeadParser();
		const bytes = Buffer.from('HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nB: 2\r\n\r\nbody');
		const first = parser.feed(bytes);
		assert.equal(parser.status, 103);
		parser.reset();
		const second = parser.feed(bytes, first);
		assert.equal(parser.status, 200);
		assert.deepEqual(parser.headers, {b: '2'});
		assert.equal(bytes.toString('latin1', second), 'body');
	});

	const malformed: Array<[string, string, RegExp]> = [
		['a status line that is not HTTP/1.x', 'HTTP/2 200\r\n\r\n', /not an HTTP\/1\.x status line: "HTTP\/2 200"/],
		['garbage instead of a status line', 'SSH-2.0-OpenSSH_9.6\r\n\r\n', /not an HTTP\/1\.x status line/],
		['a status code that is not three digits', 'HTTP/1.1 2000 OK\r\n\r\n', /status line/],
		['a header line without a colon', 'HTTP/1.1 200 OK\r\nno colon here\r\n\r\n', /bad header line: "no colon here"/],
		['a header name with a space', 'HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n', /bad header line/],
		['a continuation line before any header', 'HTTP/1.1 200 OK\r\n folded\r\n\r\n', /continuation/],
		['control characters, escaped in the message', 'HTTP/1.1 200 OK\r\n\u0001\u0002\r\n\r\n', /\\x01\\x02/],
	];
	for (const [name, text, message] of malformed) {
		test(`refuses ${name}`, () => {
			forEachSplit(text, pieces => {
				assert.throws(() => parse(pieces), (error: unknown) => error instanceof HttpParseError && message.test(error.message));
			});
		});
	}

	test('refuses a head larger than its cap, whether or not it ever ends, and takes one exactly at it', () => {
		const exact = `HTTP/1.1 200 OK\r\nX: ${'a'.repeat(76)}\r\n\r\n`;
		assert.equal(exact.length, 100);
		forEachSplit(exact, pieces => {
			assert.equal(parse(pieces, 100).status, 200);
		});
		for (const text of [`${exact.slice(0, -4)}b\r\n\r\n`, `HTTP/1.1 200 OK\r\nX: ${'a'.repeat(200)}`]) {
			forEachSplit(text, pieces => {
				assert.throws(() => parse(pieces, 100), /response head larger than 100 bytes/);
			});
		}
	});

	test('caps the head at 64 KiB by default', () => {
		const parser = new ResponseHeadParser();
		const line = Buffer.from(`X-Filler: ${'f'.repeat(1000)}\r\n`);
		assert.equal(parser.feed(Buffer.from('HTTP/1.1 200 OK\r\n')), -1);
		assert.throws(() => {
			for (let index = 0; index < 70; index++) {
				parser.feed(line);
			}
		}, /larger than 65536 bytes/);
	});
});
