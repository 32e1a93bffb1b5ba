import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {BodyDecoder, complete, needMore, stopped} from '../../source/engine/http-body.js';
import {HttpParseError, type ResponseHeaders} from '../../source/engine/http-head.js';
import {forEachSplit, splits, throughReusedBuffer} from '../helpers/splits.js';

type Decoded = {body: string; complete: boolean; finished: boolean; afterEnd: string; calls: number};

/** Decodes pieces through a reused buffer, as the HTTP stream does; stops at `complete`. */
function decode(headers: ResponseHeaders, pieces: Buffer[], status = 200): Decoded {
	const decoder = BodyDecoder.forResponse(status, headers);
	let body = '';
	let calls = 0;
	let afterEnd = '';
	let done = false;
	const sink = {
		onBodyData(buffer: Buffer, start: number, end: number) {
			assert.ok(start < end && end <= buffer.length, `a range of body bytes [${start}, ${end})`);
			body += buffer.toString('latin1', start, end);
			calls++;
			return true;
		},
	};
	for (const {buffer, end} of throughReusedBuffer(pieces)) {
		if (done) {
			afterEnd += buffer.toString('latin1', 0, end);
			continue;
		}

		done = decoder.decode(buffer, 0, end, sink) === complete;
	}

	return {body, complete: done, finished: decoder.finished, afterEnd, calls};
}

const chunked = {'transfer-encoding': 'chunked'};
// The UTF-8 bytes of "é€", one latin1 character per byte, as the tests feed text.
const utf8 = Buffer.from('é€').toString('latin1');

describe('HTTP/1.1 body decoder', () => {
	const cases: Array<[string, ResponseHeaders, string, string]> = [
		['chunked: concatenates the chunks\' data and ends at the last chunk', chunked,
			'7\r\ndata: a\r\n2\r\n\n\n\r\n0\r\n\r\n', 'data: a\n\n'],
		['chunked: upper- and lower-case hex sizes, leading zeros', chunked,
			`00A\r\n${'x'.repeat(10)}\r\n1f\r\n${'y'.repeat(31)}\r\n0\r\n\r\n`, `${'x'.repeat(10)}${'y'.repeat(31)}`],
		['chunked: skips chunk extensions, quoted ones included', chunked,
			'4;name=value\r\nabcd\r\n2 ; a="x;y" ;b\r\nef\r\n0;last\r\n\r\n', 'abcdef'],
		['chunked: reads past trailer fields to the blank line', chunked,
			'3\r\nabc\r\n0\r\nX-Checksum: 1\r\nX-Other: 2\r\n\r\n', 'abc'],
		['chunked: accepts bare LF line ends', chunked,
			'3\nabc\n0\n\n', 'abc'],
		['chunked: a chunk of multi-byte UTF-8 is passed on as bytes', chunked,
			`${utf8.length.toString(16)}\r\n${utf8}\r\n0\r\n\r\n`, utf8],
		['content-length: exactly that many bytes', {'content-length': '11'},
			'data: x\n\nAB', 'data: x\n\nAB'],
		['content-length: an equal repeated value is one value', {'content-length': '3, 3'},
			'abc', 'abc'],
	];
	for (const [name, headers, text, body] of cases) {
		test(name, () => {
			forEachSplit(`${text}NEXT RESPONSE`, pieces => {
				const decoded = decode(headers, pieces);
				assert.equal(decoded.body, body);
				assert.equal(decoded.complete, true);
				assert.equal(decoded.finished, true);
			});
		});
	}

	test('chunked: hands each chunk\'s data over as it comes, without waiting for the chunk to end', () => {
		const decoded = decode(chunked, [Buffer.from('a\r\n01234'), Buffer.from('56789\r\n')]);
		assert.equal(decoded.body, '0123456789');
		assert.equal(decoded.calls, 2);
		assert.equal(decoded.complete, false);
		assert.equal(decoded.finished, false, 'a chunked body without its last chunk was cut short');
	});

	test('chunked: one read with several whole chunks gives one call per chunk', () => {
		const decoded = decode(chunked, [Buffer.from('2\r\nab\r\n2\r\ncd\r\n2\r\nef\r\n')]);
		assert.equal(decoded.body, 'abcdef');
		assert.equal(decoded.calls, 3);
	});

	test('without Content-Length or Transfer-Encoding the body runs to the close', () => {
		forEachSplit('data: 1\n\n0\r\n\r\nanything', pieces => {
			const decoded = decode({}, pieces);
			assert.equal(decoded.body, 'data: 1\n\n0\r\n\r\nanything');
			assert.equal(decoded.complete, false);
			assert.equal(decoded.finished, true, 'a close-delimited body is whole at any close');
		});
	});

	test('a content-length body is not finished until its last byte', () => {
		const decoded = decode({'content-length': '10'}, [Buffer.from('12345')]);
		assert.equal(decoded.finished, false);
	});

	test('204, 304 and 1xx responses have no body, whatever their headers say', () => {
		for (const status of [204, 304, 101]) {
			const decoded = decode({'content-length': '5'}, [Buffer.from('abcde')], status);
			assert.deepEqual([decoded.body, decoded.complete], ['', true], `status ${status}`);
		}
	});

	test('Transfer-Encoding wins over Content-Length (RFC 9112 §6.3)', () => {
		assert.equal(decode({'transfer-encoding': 'chunked', 'content-length': '2'}, [Buffer.from('3\r\nabc\r\n0\r\n\r\n')]).body, 'abc');
	});

	test('stops when the sink says so', () => {
		const decoder = BodyDecoder.forResponse(200, chunked);
		let calls = 0;
		const result = decoder.decode(Buffer.from('1\r\na\r\n1\r\nb\r\n'), 0, 12, {
			onBodyData() {
				calls++;
				return false;
			},
		});
		assert.equal(result, stopped);
		assert.equal(calls, 1);
		assert.equal(BodyDecoder.forResponse(200, {}).decode(Buffer.alloc(4), 0, 0, {onBodyData: () => false}), needMore);
	});

	const malformed: Array<[string, ResponseHeaders, string, RegExp]> = [
		['a chunk size that is not hex', chunked, 'zz\r\n', /bad chunk size: expected a hex digit, got "z"/],
		['an empty chunk size line', chunked, '\r\n', /bad chunk size: expected a hex digit, got byte 0x0d/],
		['a chunk size followed by junk', chunked, '5x\r\n', /bad chunk size: unexpected "x"/],
		['a chunk size of more than 12 hex digits', chunked, '1000000000000\r\n', /more than 12 hex digits/],
		['chunk data longer than its size', chunked, '2\r\nabc\r\n', /chunk data longer than its chunk size/],
		['a CR without LF after the size', chunked, '2\rab', /CR without LF/],
		['an endless chunk extension', chunked, `1;${'e'.repeat(70_000)}`, /chunk extension longer than 65536 bytes/],
		['an endless trailer', chunked, `0\r\n${'X-T: v\r\n'.repeat(10_000)}`, /trailer longer than 65536 bytes/],
	];
	for (const [name, headers, text, message] of malformed) {
		test(`refuses ${name}`, () => {
			// Big inputs: whole and a few random splits (byte by byte would take long).
			const cuts = text.length > 1000 ? splits(Buffer.from(text), 3).filter(({label}) => label !== 'one byte at a time') : splits(Buffer.from(text));
			for (const {label, pieces} of cuts) {
				assert.throws(() => decode(headers, pieces), (error: unknown) => error instanceof HttpParseError && message.test(error.message), label);
			}
		});
	}

	const badHeaders: Array<[string, ResponseHeaders, RegExp]> = [
		['a coding other than chunked', {'transfer-encoding': 'gzip, chunked'}, /unsupported Transfer-Encoding "gzip, chunked"/],
		['a Content-Length that is not a number', {'content-length': '12abc'}, /bad Content-Length "12abc"/],
		['differing Content-Length values', {'content-length': '3, 4'}, /bad Content-Length/],
	];
	for (const [name, headers, message] of badHeaders) {
		test(`refuses ${name}`, () => {
			assert.throws(() => BodyDecoder.forResponse(200, headers), message);
		});
	}
});
