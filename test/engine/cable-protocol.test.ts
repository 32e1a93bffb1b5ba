import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {
	cableIdentifier, CableProtocolError, createCableFrameParser, messageCommand, parseCableFrame, subscribeCommand, unsubscribeCommand, type CableFrame,
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
