import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import * as wsModule from 'ws';
import {cableMessageFrame, wsTextFrame} from '../../server/frames.js';
import {isOriginAllowed, parseAllowedOrigins} from '../../server/origins.js';
import {RingReplayStore} from '../../server/replay.js';
import {UsageError} from '../../source/errors.js';

type FrameReceiver = {
	on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): void;
	write(chunk: Buffer): void;
};
// ws exports its Receiver at runtime but @types/ws does not declare it.
const {Receiver} = wsModule as unknown as {Receiver: new (options: {isServer: boolean}) => FrameReceiver};

const ids = (entries: ReturnType<RingReplayStore['since']>): string[] | 'gone' => (entries === 'gone' ? 'gone' : entries.map(entry => entry.id));

describe('RingReplayStore', () => {
	test('numbers entries from 1 and builds the SSE frame once', () => {
		const store = new RingReplayStore(3);
		const entry = store.append('{"a":1}');
		assert.equal(entry.id, '1');
		assert.equal(entry.frame.toString(), 'id: 1\ndata: {"a":1}\n\n');
		assert.equal(store.lastId, '1');
	});

	test('returns exactly the entries after the last seen id', () => {
		const store = new RingReplayStore(5);
		for (let index = 0; index < 4; index++) {
			store.append(String(index));
		}

		assert.deepEqual(ids(store.since('1')), ['2', '3', '4']);
		assert.deepEqual(ids(store.since('4')), []);
		assert.deepEqual(ids(store.since('0')), ['1', '2', '3', '4']);
	});

	test('keeps only the newest entries once the ring wraps', () => {
		const store = new RingReplayStore(3);
		for (let index = 0; index < 10; index++) {
			store.append(String(index));
		}

		assert.equal(store.size, 3);
		assert.deepEqual(ids(store.entries()), ['8', '9', '10']);
		assert.deepEqual(ids(store.since('7')), ['8', '9', '10']);
		assert.deepEqual(ids(store.since('9')), ['10']);
		assert.equal(store.since('6'), 'gone', 'event 7 was evicted');
	});

	test('treats unknown, future and malformed ids as gone', () => {
		const store = new RingReplayStore(3);
		store.append('x');
		assert.equal(store.since('5'), 'gone');
		assert.equal(store.since('abc'), 'gone');
		assert.equal(store.since(''), 'gone');
		assert.equal(store.since('1e3'), 'gone');
	});

	test('with capacity 0 still numbers events but holds none', () => {
		const store = new RingReplayStore(0);
		store.append('x');
		store.append('y');
		assert.equal(store.lastId, '2');
		assert.deepEqual(ids(store.since('2')), []);
		assert.equal(store.since('1'), 'gone');
		assert.deepEqual(store.entries(), []);
	});
});

describe('WebSocket frames', () => {
	for (const size of [0, 125, 126, 65_535, 65_536, 70_000]) {
		test(`a ${size}-byte text frame decodes with ws's own receiver`, async () => {
			const text = 'é'.repeat(Math.floor(size / 2)) + 'x'.repeat(size % 2);
			const receiver = new Receiver({isServer: false});
			const received = new Promise<string>(resolve => {
				receiver.on('message', (data: Buffer, isBinary: boolean) => {
					assert.equal(isBinary, false);
					resolve(data.toString());
				});
			});
			receiver.write(wsTextFrame(text));
			assert.equal(await received, text);
		});
	}

	test('cable broadcasts quote the identifier as a JSON string', () => {
		const identifier = '{"channel":"DashboardUpdatesChannel"}';
		const frame = cableMessageFrame(identifier, '{"n":1}');
		const payload = JSON.parse(frame.subarray(2).toString()) as unknown;
		assert.deepEqual(payload, {identifier, message: {n: 1}});
	});
});

describe('origins', () => {
	test('by default allow localhost pages on any port and clients without Origin', () => {
		for (const origin of [undefined, 'http://localhost:5173', 'https://127.0.0.1', 'http://[::1]:8080']) {
			assert.equal(isOriginAllowed(origin, undefined), true, String(origin));
		}

		for (const origin of ['https://evil.example', 'null', 'http://localhost.evil.example', 'file://']) {
			assert.equal(isOriginAllowed(origin, undefined), false, origin);
		}
	});

	test('an explicit list is matched after normalising', () => {
		const allowed = parseAllowedOrigins('https://App.example.com/, http://localhost:3000', '--allowed-origins');
		assert.deepEqual(allowed, ['https://app.example.com', 'http://localhost:3000']);
		assert.equal(isOriginAllowed('https://app.example.com', allowed), true);
		assert.equal(isOriginAllowed('https://app.example.com:443', allowed), true);
		assert.equal(isOriginAllowed('http://localhost:5173', allowed), false);
		assert.equal(isOriginAllowed('https://other.example', ['*']), true);
	});

	test('a bad entry is a usage error naming the flag', () => {
		assert.throws(() => parseAllowedOrigins('example.com', '--allowed-origins'), (error: unknown) => error instanceof UsageError && error.message.startsWith('--allowed-origins entries must be origins'));
		assert.throws(() => parseAllowedOrigins(' , ', '--allowed-origins'), UsageError);
	});
});
