import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {
	cableIdentifier, CableProtocolError, createCableFrameParser, isCablePing, messageCommand, parseCableFrame, subscribeCommand, unsubscribeCommand, type CableFrame,
} from '../../source/engine/cable-protocol.js';

const identifier = cableIdentifier('DashboardUpdatesChannel');

describe('ActionCable commands', () => {
	test('the identifier is a JSON object in a string, channel first, extra params after it', () => {
		assert.equal(identifier, '{"channel":"DashboardUpdatesChannel"}');
		assert.equal(cableIdentifier('ChatChannel', {room: '1'}), '{"channel":"ChatChannel","room":"1"}');
		assert.equal(cableIdentifier('ChatChannel', {channel: 'Other', room: 1}), '{"channel":"ChatChannel","room":1}');
	});

	test('subscribe and unsubscribe carry the identifier as a string, byte for byte as PROTOCOLS.md writes it', () => {
		assert.equal(subscribeCommand(identifier), String.raw`{"command":"subscribe","identifier":"{\"channel\":\"DashboardUpdatesChannel\"}"}`);
		assert.equal(unsubscribeCommand(identifier), String.raw`{"command":"unsubscribe","identifier":"{\"channel\":\"DashboardUpdatesChannel\"}"}`);
	});

	test('perform sends data as a JSON string that carries the action, like the JS client', () => {
		const command = JSON.parse(messageCommand(identifier, 'speak', {text: 'hi'})) as {command: string; identifier: string; data: string};
		assert.equal(command.command, 'message');
		assert.equal(command.identifier, identifier);
		assert.deepEqual(JSON.parse(command.data), {text: 'hi', action: 'speak'});
	});
});

describe('ActionCable frames', () => {
	const parse = createCableFrameParser(identifier);
	const quoted = JSON.stringify(identifier);
	const cases: Array<{name: string; frame: string; expected: CableFrame}> = [
		{name: 'welcome', frame: '{"type":"welcome"}', expected: {type: 'welcome'}},
		{name: 'welcome with extra fields (newer Rails)', frame: '{"type":"welcome","sid":"abc"}', expected: {type: 'welcome'}},
		{name: 'ping', frame: '{"type":"ping","message":1700000000}', expected: {type: 'ping'}},
		{name: 'ping, keys in another order', frame: '{"message":1700000000,"type":"ping"}', expected: {type: 'ping'}},
		{name: 'confirm', frame: `{"identifier":${quoted},"type":"confirm_subscription"}`, expected: {type: 'confirm', identifier}},
		{name: 'reject', frame: `{"identifier":${quoted},"type":"reject_subscription"}`, expected: {type: 'reject', identifier}},
		{name: 'broadcast (fast path): data is the message JSON text', frame: `{"identifier":${quoted},"message":{"a":[1,2],"sent_at":5}}`, expected: {type: 'message', identifier, data: '{"a":[1,2],"sent_at":5}'}},
		{name: 'broadcast of a string', frame: `{"identifier":${quoted},"message":"hi"}`, expected: {type: 'message', identifier, data: '"hi"'}},
		{name: 'broadcast, message first (slow path)', frame: `{"message":{"a":1},"identifier":${quoted}}`, expected: {type: 'message', identifier, data: '{"a":1}'}},
		{name: 'broadcast for another identifier', frame: '{"identifier":"{\\"channel\\":\\"X\\"}","message":1}', expected: {type: 'message', identifier: '{"channel":"X"}', data: '1'}},
		{name: 'disconnect, no reconnect', frame: '{"type":"disconnect","reason":"unauthorized","reconnect":false}', expected: {type: 'disconnect', reason: 'unauthorized', reconnect: false}},
		{name: 'disconnect, reconnect', frame: '{"type":"disconnect","reason":"server_restart","reconnect":true}', expected: {type: 'disconnect', reason: 'server_restart', reconnect: true}},
		{name: 'disconnect without reconnect field reconnects', frame: '{"type":"disconnect"}', expected: {type: 'disconnect', reason: '', reconnect: true}},
		{name: 'unknown type', frame: '{"type":"future_thing"}', expected: {type: 'other', name: 'future_thing'}},
	];
	for (const {name, frame, expected} of cases) {
		test(name, () => {
			assert.deepEqual(parse(frame), expected);
			// The general path agrees with the fast one, up to JSON re-serialisation of the message.
			assert.deepEqual(parseCableFrame(frame), expected);
		});
	}

	for (const [name, frame] of [['not JSON', '{"type":'], ['an array', '[1]'], ['no type, no message', '{"identifier":"x"}'], ['confirm without identifier', '{"type":"confirm_subscription"}']] as const) {
		test(`${name} is a protocol error`, () => {
			assert.throws(() => parse(frame), CableProtocolError);
		});
	}
});

describe('ActionCable pings on the bytes', () => {
	const ping = '{"type":"ping","message":1700000000}';

	test('Rails\' ping is recognised on its bytes, also inside a larger buffer as ws hands them over', () => {
		assert.equal(isCablePing(Buffer.from(ping)), true);
		assert.equal(isCablePing(Buffer.from('{"type":"ping","message":0}')), true);
		const read = Buffer.from(`xx${ping}yy`);
		assert.equal(isCablePing(read.subarray(2, 2 + ping.length)), true);
		assert.equal(isCablePing(new TextEncoder().encode(ping)), true);
	});

	for (const [name, frame] of [
		['keys in another order', '{"message":1700000000,"type":"ping"}'],
		['an extra key', '{"type":"ping","message":1700000000,"x":1}'],
		['a fractional time', '{"type":"ping","message":1700000000.5}'],
		['a negative time', '{"type":"ping","message":-1}'],
		['spaces', '{"type": "ping", "message": 1700000000}'],
		['no time', '{"type":"ping","message":}'],
		['no message', '{"type":"ping"}'],
		['cut short', '{"type":"ping","message":17'],
		['a trailing newline', `${ping}\n`],
		['the head only', '{"type":"ping","message":'],
		['empty', ''],
		['a welcome', '{"type":"welcome"}'],
		['a broadcast', '{"identifier":"{\\"channel\\":\\"X\\"}","message":{"type":"ping","message":1}}'],
	] as const) {
		test(`not matched on the bytes: ${name}`, () => {
			assert.equal(isCablePing(Buffer.from(frame)), false);
		});
	}
});

describe('ActionCable frames the fast paths must leave to JSON.parse', () => {
	const parse = createCableFrameParser(identifier);
	const quoted = JSON.stringify(identifier);
	const cases: Array<{name: string; frame: string; expected: CableFrame}> = [
		{name: 'a ping with an extra key', frame: '{"type":"ping","message":1700000000,"x":1}', expected: {type: 'ping'}},
		{name: 'a ping with a fractional time', frame: '{"type":"ping","message":1.5}', expected: {type: 'ping'}},
		{name: 'a ping without a time', frame: '{"type":"ping"}', expected: {type: 'ping'}},
		{name: 'a ping with spaces', frame: '{ "type": "ping", "message": 1 }', expected: {type: 'ping'}},
		{name: 'a welcome with spaces', frame: '{ "type": "welcome" }', expected: {type: 'welcome'}},
		{name: 'a confirm with the keys the other way round', frame: `{"type":"confirm_subscription","identifier":${quoted}}`, expected: {type: 'confirm', identifier}},
		{name: 'a confirm for another subscription', frame: '{"identifier":"{\\"channel\\":\\"X\\"}","type":"confirm_subscription"}', expected: {type: 'confirm', identifier: '{"channel":"X"}'}},
		{name: 'a broadcast whose message looks like a ping', frame: `{"identifier":${quoted},"message":{"type":"ping","message":1}}`, expected: {type: 'message', identifier, data: '{"type":"ping","message":1}'}},
	];
	for (const {name, frame, expected} of cases) {
		test(name, () => {
			assert.deepEqual(parse(frame), expected);
			assert.deepEqual(parseCableFrame(frame), expected);
		});
	}

	for (const [name, frame] of [
		['a ping cut short after its type', '{"type":"ping"'],
		['a ping without a time value', '{"type":"ping","message":}'],
		['a ping followed by garbage', '{"type":"ping","message":1}x'],
		['a welcome cut short', '{"type":"welcome"'],
	] as const) {
		test(`${name} is a protocol error, not a ping`, () => {
			assert.throws(() => parse(frame), CableProtocolError);
		});
	}

	test('no prefix of a ping, welcome or confirm is taken for one: the fast paths agree with JSON.parse', () => {
		// Every prefix of real frames: each is either classified exactly as JSON.parse would, or
		// refused by both; no prefix is taken for a ping, welcome or confirm it is not.
		const frames = ['{"type":"ping","message":1700000000}', '{"type":"welcome"}', `{"identifier":${quoted},"type":"confirm_subscription"}`];
		for (const frame of frames) {
			for (let end = 0; end < frame.length; end++) {
				const text = frame.slice(0, end);
				let general: CableFrame | 'error';
				try {
					general = parseCableFrame(text);
				} catch {
					general = 'error';
				}

				let fast: CableFrame | 'error';
				try {
					fast = parse(text);
				} catch {
					fast = 'error';
				}

				assert.deepEqual(fast, general, `prefix ${JSON.stringify(text)}`);
				assert.equal(isCablePing(Buffer.from(text)), false, `prefix ${JSON.stringify(text)}`);
			}
		}
	});
});
