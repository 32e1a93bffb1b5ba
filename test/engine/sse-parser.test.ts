import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import {StringDecoder} from 'node:string_decoder';
import {createParser} from 'eventsource-parser';
import {mulberry32} from '../helpers/splits.js';
import {createSseParser, SseParseError, type SseEvent, type SseParserOptions} from '../../source/engine/sse-parser.js';

// Random splits use seeds derived from this one; set SSE_PARSER_SEED to replay a failure.
const baseSeed = Number(process.env['SSE_PARSER_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
const randomSplitsPerCase = 6;

type Bytes = string | number[] | Uint8Array;
/** A string or bytes, or an explicit list of chunks (also fed whole, byte by byte and split at random). */
type Input = Bytes | Bytes[];

type Case = {
	name: string;
	input: Input;
	/** Fed after reset(), as a second connection. */
	afterReset?: Input;
	options?: SseParserOptions;
	events?: SseEvent[];
	comments?: string[];
	retries?: number[];
	lastEventId?: string;
	throws?: 'too-large';
};

type Outcome = {events: SseEvent[]; comments: string[]; retries: number[]; lastEventId: string; error?: string};

function ev(data: string, type = 'message', id = ''): SseEvent {
	return {type, data, id};
}

function toBytes(input: Bytes): Uint8Array {
	return typeof input === 'string' ? Buffer.from(input, 'utf8') : Uint8Array.from(input);
}

function isChunkList(input: Input): input is Bytes[] {
	return Array.isArray(input) && input.some((part) => typeof part !== 'number');
}

function toChunks(input: Input): Uint8Array[] {
	return isChunkList(input) ? input.map(toBytes) : [toBytes(input as Bytes)];
}

function concat(chunks: Uint8Array[]): Uint8Array {
	return Buffer.concat(chunks);
}

/** Cuts bytes at random places: sometimes a few big pieces, sometimes many 1-4 byte pieces. */
function randomSplit(bytes: Uint8Array, random: () => number): Uint8Array[] {
	const chunks: Uint8Array[] = [];
	const tiny = random() < 0.3;
	let pos = 0;
	while (pos < bytes.length) {
		const size = tiny ? 1 + Math.floor(random() * 4) : 1 + Math.floor(random() * Math.max(1, bytes.length / 3));
		chunks.push(bytes.subarray(pos, pos + size));
		pos += size;
	}
	return chunks;
}

function eachByte(bytes: Uint8Array): Uint8Array[] {
	return Array.from(bytes, (byte) => Uint8Array.of(byte));
}

function run(streams: Uint8Array[][], options?: SseParserOptions): Outcome {
	const outcome: Outcome = {events: [], comments: [], retries: [], lastEventId: ''};
	const parser = createSseParser(
		{
			onEvent: (event) => outcome.events.push(event),
			onComment: (text) => outcome.comments.push(text),
			onRetry: (ms) => outcome.retries.push(ms),
		},
		options,
	);
	try {
		for (const [index, chunks] of streams.entries()) {
			if (index > 0) parser.reset();
			for (const chunk of chunks) parser.feed(chunk);
		}
		parser.end();
	} catch (error) {
		assert.ok(error instanceof SseParseError, `unexpected error ${String(error)}`);
		outcome.error = error.kind;
	}
	outcome.lastEventId = parser.lastEventId;
	return outcome;
}

/** Runs `check` on whole, byte-by-byte, as-given and random splits; names the split and seed on failure. */
function forEachSplit(streams: Uint8Array[][], check: (split: Uint8Array[][], label: string) => void): void {
	const splits: Array<[string, Uint8Array[][]]> = [
		['whole', streams.map((chunks) => [concat(chunks)])],
		['one byte at a time', streams.map((chunks) => eachByte(concat(chunks)))],
		['chunks as given', streams],
	];
	for (let i = 0; i < randomSplitsPerCase; i++) {
		const seed = baseSeed + i;
		const random = mulberry32(seed);
		splits.push([`random split, seed ${seed} (SSE_PARSER_SEED=${baseSeed})`, streams.map((chunks) => randomSplit(concat(chunks), random))]);
	}
	for (const [label, split] of splits) {
		try {
			check(split, label);
		} catch (error) {
			if (error instanceof Error) error.message = `[${label}] ${error.message}`;
			throw error;
		}
	}
}

const emoji = [0xf0, 0x9f, 0x98, 0x80]; // U+1F600
const euro = [0xe2, 0x82, 0xac];
const ascii = (text: string): number[] => [...Buffer.from(text, 'latin1')];

const cases: Case[] = [
	{name: 'dispatches an event on a blank line (LF)', input: 'data: hello\n\n', events: [ev('hello')]},
	{name: 'accepts CR line endings', input: 'data: a\r\rdata: b\r\r', events: [ev('a'), ev('b')]},
	{name: 'accepts CRLF line endings', input: 'data: a\r\n\r\ndata: b\r\n\r\n', events: [ev('a'), ev('b')]},
	{name: 'accepts mixed line endings', input: 'data: a\r\ndata: b\rdata: c\n\r\nevent: e\rdata: d\n\r', events: [ev('a\nb\nc'), ev('d', 'e')]},
	{name: 'reads LF after CR as two line ends', input: 'data: a\n\rdata: b\n\n', events: [ev('a'), ev('b')]},
	{name: 'treats a CRLF split across chunks as one line end', input: ['data: a\r', '\ndata: b\r', '\n\r', '\n'], events: [ev('a\nb')]},
	{name: 'ends a line at a trailing CR when the next chunk starts with another character', input: ['data: a\r', [0xe2], [0x82, 0xac, ...ascii(': c\n\n')]], events: [ev('a')]},
	{name: 'remembers a trailing CR across an empty chunk', input: ['data: a\r', [], '\ndata: b\n\n'], events: [ev('a\nb')]},
	{name: 'dispatches an event ended by CR CR at end of stream', input: 'data: a\r\r', events: [ev('a')]},
	{name: 'drops a leading BOM', input: '\uFEFFdata: a\n\n', events: [ev('a')]},
	{name: 'drops only one leading BOM', input: '\uFEFF\uFEFFdata: a\n\ndata: b\n\n', events: [ev('b')]},
	{name: 'keeps a BOM after the start of the stream', input: 'data: a\n\n\uFEFFdata: b\n\ndata: \uFEFFc\n\n', events: [ev('a'), ev('\uFEFFc')]},
	{name: 'drops a BOM split across chunks', input: [[0xef], [0xbb], [0xbf, ...ascii('data: a\n\n')]], events: [ev('a')]},
	{
		name: 'decodes multi-byte characters split across chunks',
		input: ['data: ', euro.slice(0, 2), [...euro.slice(2), ...emoji.slice(0, 1)], emoji.slice(1, 3), [...emoji.slice(3), 0x0a, 0x0a]],
		events: [ev('€😀')],
	},
	{name: 'replaces invalid UTF-8 with U+FFFD', input: [...ascii('data: a'), 0xff, 0x62, 0xc3, 0x63, 0xed, 0xa0, 0x80, 0x0a, 0x0a], events: [ev('a\uFFFDb\uFFFDc\uFFFD\uFFFD\uFFFD')]},
	{name: 'discards a truncated character at end of stream with its line', input: [...ascii('data: a\n\ndata: b'), 0xe2, 0x82], events: [ev('a')]},
	{name: 'reads a line without a colon as a field with an empty value', input: 'data\n\ndata\ndata\n\n', events: [ev(''), ev('\n')]},
	{name: 'accepts no space after the colon', input: 'data:a\n\n', events: [ev('a')]},
	{name: 'drops one leading space only', input: 'data:  two\n\nevent:  t\ndata:\t3\n\n', events: [ev(' two'), ev('\t3', ' t')]},
	{name: 'joins data lines with LF', input: 'data: a\ndata:\ndata: b\n\n', events: [ev('a\n\nb')]},
	{name: 'keeps a trailing empty data line', input: 'data: a\ndata:\n\n', events: [ev('a\n')]},
	{name: 'splits the field at the first colon', input: 'data: a:b: c\nevent:x:y\n\n', events: [ev('a:b: c', 'x:y')]},
	{
		name: 'dispatches nothing without data but still commits the id',
		input: 'id: 7\nevent: x\n\ndata: y\n\n',
		events: [ev('y', 'message', '7')],
		lastEventId: '7',
	},
	{name: 'resets the event type after dispatch', input: 'event: a\ndata: 1\n\ndata: 2\n\n', events: [ev('1', 'a'), ev('2')]},
	{name: 'uses message for an empty event type', input: 'event: a\nevent:\ndata: 1\n\nevent\ndata: 2\n\n', events: [ev('1'), ev('2')]},
	{name: 'keeps the id across events', input: 'id: 1\ndata: a\n\ndata: b\n\n', events: [ev('a', 'message', '1'), ev('b', 'message', '1')], lastEventId: '1'},
	{name: 'applies an id that follows the data of the same event', input: 'data: a\nid: 5\n\n', events: [ev('a', 'message', '5')], lastEventId: '5'},
	{
		name: 'ignores an id containing U+0000',
		input: 'id: 1\ndata: a\n\nid: 2\u00003\ndata: b\n\n',
		events: [ev('a', 'message', '1'), ev('b', 'message', '1')],
		lastEventId: '1',
	},
	{
		name: 'resets the id on an empty id field',
		input: 'id: 1\ndata: a\n\nid\ndata: b\n\nid: 3\ndata: c\n\nid:\ndata: d\n\n',
		events: [ev('a', 'message', '1'), ev('b'), ev('c', 'message', '3'), ev('d')],
		lastEventId: '',
	},
	{name: 'does not commit an id before the blank line', input: 'id: 1\ndata: a\n\nid: 2\ndata: b\n', events: [ev('a', 'message', '1')], lastEventId: '1'},
	{
		name: 'accepts retry with ASCII digits only',
		input: 'retry: 1000\nretry:10a0\nretry: -1\nretry:  1000\nretry: 1.5\nretry: \nretry\nretry: 0\nretry: \uFF11\nretry:42\n\n',
		retries: [1000, 0, 42],
	},
	{
		name: 'ignores unknown and differently-cased field names',
		input: 'Data: x\nDATA: y\nID: 9\nEvent: e\nfoo: bar\nevent2: q\ndata : z\n\ndata: ok\n\n',
		events: [ev('ok')],
	},
	{name: 'reports comments without one leading space', input: ': heartbeat\n:\n:  two\n:no-space\n\n', comments: ['heartbeat', '', ' two', 'no-space']},
	{name: 'does not end an event at a comment', input: 'data: a\n: hi\ndata: b\n\n', events: [ev('a\nb')], comments: ['hi']},
	{name: 'discards an event not ended by a blank line', input: 'data: a\n\ndata: b\n', events: [ev('a')]},
	{name: 'discards an unterminated last line', input: 'data: a\n\ndata: b', events: [ev('a')]},
	{name: 'discards an event whose last line ends with CR at end of stream', input: 'data: a\n\ndata: b\r', events: [ev('a')]},
	{
		name: 'reset() keeps lastEventId, drops the partial event and uncommitted id, re-arms BOM removal',
		input: '\uFEFFid: 1\ndata: a\n\nid: 2\nevent: t\ndata: partial\n',
		afterReset: '\uFEFFdata: b\n\n',
		events: [ev('a', 'message', '1'), ev('b', 'message', '1')],
		lastEventId: '1',
	},
	{name: 'reset() forgets a partial character', input: [...ascii('data: a\n\ndata: '), 0xe2, 0x82], afterReset: 'data: b\n\n', events: [ev('a'), ev('b')]},
	{name: 'reset() forgets a partial line', input: 'data: a\n\ndata: par', afterReset: 'tial\n\ndata: b\n\n', events: [ev('a'), ev('b')]},
	{
		name: 'throws too-large for an unterminated line past maxEventSize',
		options: {maxEventSize: 16},
		input: 'data: a\n\ndata: 0123456789abcdef',
		events: [ev('a')],
		throws: 'too-large',
	},
	{name: 'throws too-large for a long comment line', options: {maxEventSize: 16}, input: `: ${'x'.repeat(40)}`, throws: 'too-large'},
	{
		name: 'throws too-large when the data grows past maxEventSize over many lines',
		options: {maxEventSize: 16},
		input: 'data: 12345\ndata: 12345\ndata: 12345\ndata: 12345\n\n',
		throws: 'too-large',
	},
	{name: 'accepts a line and data exactly at maxEventSize', options: {maxEventSize: 16}, input: 'data:0123456789a\ndata:\n\n', events: [ev('0123456789a\n')]},
];

describe('sse-parser', () => {
	for (const testCase of cases) {
		it(testCase.name, () => {
			const streams = [toChunks(testCase.input), ...(testCase.afterReset === undefined ? [] : [toChunks(testCase.afterReset)])];
			const expected: Outcome = {
				events: testCase.events ?? [],
				comments: testCase.comments ?? [],
				retries: testCase.retries ?? [],
				lastEventId: testCase.lastEventId ?? '',
			};
			if (testCase.throws) expected.error = testCase.throws;
			forEachSplit(streams, (split) => {
				const outcome = run(split, testCase.options);
				if (testCase.throws) outcome.lastEventId = expected.lastEventId;
				assert.deepEqual(outcome, expected);
			});
		});
	}

	it('refuses feed() after too-large until reset(), then works and keeps lastEventId', () => {
		const events: SseEvent[] = [];
		const parser = createSseParser({onEvent: (event) => events.push(event)}, {maxEventSize: 8});
		parser.feed(Buffer.from('id: 1\ndata: a\n\n'));
		assert.throws(
			() => parser.feed(Buffer.from('data: way too long')),
			(error: unknown) => error instanceof SseParseError && error.kind === 'too-large' && error.name === 'SseParseError',
		);
		assert.throws(() => parser.feed(Buffer.from('data: b\n\n')), /reset\(\)/);
		parser.reset();
		parser.feed(Buffer.from('data: b\n\n'));
		assert.deepEqual(events, [ev('a', 'message', '1'), ev('b', 'message', '1')]);
		assert.equal(parser.lastEventId, '1');
	});

	it('defaults maxEventSize to 8 MiB', () => {
		const parser = createSseParser({onEvent() {}});
		const mebibyte = Buffer.alloc(1024 * 1024, 'x');
		parser.feed(Buffer.from('data: '));
		for (let i = 0; i < 7; i++) parser.feed(mebibyte);
		parser.feed(Buffer.alloc(1024 * 1024 - 6, 'x'));
		assert.throws(() => parser.feed(Buffer.from('y')), SseParseError);
	});

	it('starts a new stream after end()', () => {
		const events: SseEvent[] = [];
		const parser = createSseParser({onEvent: (event) => events.push(event)});
		parser.feed(Buffer.from('id: 1\ndata: a\n\ndata: lost'));
		parser.end();
		parser.feed(Buffer.from('\uFEFFdata: b\n\n'));
		assert.deepEqual(events, [ev('a', 'message', '1'), ev('b', 'message', '1')]);
	});

	it('feed(chunk, start, end) reads only that range of a reused buffer, split UTF-8 included', () => {
		const bytes = Buffer.from('id: 1\ndata: é€\n\ndata: \u{1F600}\n\n');
		for (let cut = 1; cut < bytes.length; cut++) {
			const events: SseEvent[] = [];
			const parser = createSseParser({onEvent: (event) => events.push(event)});
			// One buffer for every read, junk around each piece, as a socket's `onread` buffer is.
			const buffer = Buffer.alloc(bytes.length + 8);
			for (const [from, to] of [[0, cut], [cut, bytes.length]] as const) {
				buffer.fill('data: junk\n\n');
				bytes.copy(buffer, 3, from, to);
				parser.feed(buffer, 3, 3 + to - from);
			}
			assert.deepEqual(events, [ev('é€', 'message', '1'), ev('\u{1F600}', 'message', '1')], `cut at ${cut}`);
		}
	});

	it('round-trips random events with random line endings and chunk splits', () => {
		const random = mulberry32(baseSeed ^ 0x5e_5e);
		for (let round = 0; round < 200; round++) {
			const stream = randomStream(random, {wellFormed: false});
			forEachSplit([[Buffer.from(stream.text, 'utf8')]], (split) => {
				const outcome = run(split);
				assert.deepEqual(outcome, stream.expected, `round ${round}, stream ${JSON.stringify(stream.text)}`);
			});
		}
	});

	// Where the spec and eventsource-parser 3.x differ, the generator avoids it: that library reports
	// only the id set since the previous blank line (the spec keeps it; normalised below), does not
	// drop a decoded BOM (it checks the first string for the bytes EF BB BF), holds a CR that ends a
	// chunk until the next chunk (so a stream ending in CR leaves its last event undelivered), and
	// has no end().
	it('agrees with eventsource-parser on random well-formed streams', () => {
		const random = mulberry32(baseSeed ^ 0xe5_e5);
		for (let round = 0; round < 100; round++) {
			const stream = randomStream(random, {wellFormed: true});
			const bytes = Buffer.from(stream.text, 'utf8');
			const theirs: Outcome = {events: [], comments: [], retries: [], lastEventId: ''};
			const decoder = new StringDecoder('utf8');
			const parser = createParser({
				onEvent(event) {
					if (event.id !== undefined) theirs.lastEventId = event.id;
					theirs.events.push({type: event.event ?? 'message', data: event.data, id: theirs.lastEventId});
				},
				onComment: (text) => theirs.comments.push(text),
				onRetry: (ms) => theirs.retries.push(ms),
			});
			for (const chunk of randomSplit(bytes, random)) parser.feed(decoder.write(chunk));
			const ours = run([randomSplit(bytes, random)]);
			assert.deepEqual(ours, theirs, `round ${round} (SSE_PARSER_SEED=${baseSeed}), stream ${JSON.stringify(stream.text)}`);
			assert.deepEqual(ours, stream.expected);
		}
	});
});

const tokens = ['a', 'b', 'xyz', ' ', ':', ': ', '\t', 'é', '€', '😀', '\uFEFF', '\u0000', '{"k":1}', 'data', 'id'];

function randomText(random: () => number, maxTokens: number): string {
	let text = '';
	const count = Math.floor(random() * (maxTokens + 1));
	for (let i = 0; i < count; i++) text += tokens[Math.floor(random() * tokens.length)];
	return text;
}

/**
 * Serialises random blocks (comments, retry, event, id, data lines, blank line) with a random
 * line ending per line, and computes what a spec parser must report from the model, not the text.
 */
function randomStream(random: () => number, {wellFormed}: {wellFormed: boolean}): {text: string; expected: Outcome} {
	const expected: Outcome = {events: [], comments: [], retries: [], lastEventId: ''};
	const lines: string[] = [];
	const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
	const field = (name: string, value: string) => (value.startsWith(' ') || random() < 0.5 ? `${name}: ${value}` : `${name}:${value}`);
	let id = '';
	const blocks = 1 + Math.floor(random() * 6);
	for (let block = 0; block < blocks; block++) {
		if (random() < 0.3) {
			const text = randomText(random, 3);
			lines.push(text.startsWith(' ') || random() < 0.5 ? `: ${text}` : `:${text}`);
			expected.comments.push(text);
		}
		if (random() < 0.2) {
			const ms = Math.floor(random() * 10_000);
			lines.push(`retry: ${ms}`);
			expected.retries.push(ms);
		}
		const type = random() < 0.5 ? randomText(random, 2) : '';
		if (type !== '' || random() < 0.2) lines.push(field('event', type));
		if (random() < 0.5) {
			const value = randomText(random, 2);
			lines.push(random() < 0.2 && value === '' ? 'id' : field('id', value));
			if (!value.includes('\0')) id = value;
		}
		const dataLines = Array.from({length: (wellFormed ? 1 : 0) + Math.floor(random() * 4)}, () => randomText(random, 4));
		for (const value of dataLines) lines.push(value === '' && random() < 0.3 ? 'data' : field('data', value));
		lines.push('');
		if (dataLines.length > 0) expected.events.push({type: type === '' ? 'message' : type, data: dataLines.join('\n'), id});
	}
	expected.lastEventId = id;
	let text = !wellFormed && random() < 0.3 ? '\uFEFF' : '';
	let previousEnding = '';
	for (const [index, line] of lines.entries()) {
		// After a CR, an empty line ended by LF would read as the second half of a CRLF.
		let ending = previousEnding === '\r' && line === '' ? pick(['\r', '\r\n']) : pick(['\n', '\r', '\r\n']);
		if (wellFormed && index === lines.length - 1 && ending === '\r') ending = '\r\n';
		text += line + ending;
		previousEnding = ending;
	}
	return {text, expected};
}
