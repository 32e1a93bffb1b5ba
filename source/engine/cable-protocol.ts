/**
 * ActionCable's JSON protocol (actioncable-v1-json), both directions, without I/O: commands the
 * client sends and a classifier for the frames the server sends. See PROTOCOLS.md section 2 and
 * Rails' action_cable/connection/subscriptions.rb and channel/base.rb.
 */

export const cableSubprotocols: readonly string[] = ['actioncable-v1-json', 'actioncable-unsupported'];

export type CableFrame =
	| {type: 'welcome'}
	| {type: 'ping'}
	| {type: 'confirm'; identifier: string}
	| {type: 'reject'; identifier: string}
	/** `data` is the JSON text of the broadcast's `message` */
	| {type: 'message'; identifier: string; data: string}
	| {type: 'disconnect'; reason: string; reconnect: boolean}
	/** valid JSON, but a type this client has no use for (newer servers may add some) */
	| {type: 'other'; name: string};

export class CableProtocolError extends Error {
	override readonly name = 'CableProtocolError';
}

/**
 * The subscription identifier: a JSON object serialised into a string, `channel` first, as the
 * official client builds it. The server echoes the string back verbatim, so the same string must
 * be used for every command of the subscription. A `channel` key in `params` is ignored: the
 * channel option names the channel.
 */
export function cableIdentifier(channel: string, params: Readonly<Record<string, unknown>> = {}): string {
	const {channel: _ignored, ...rest} = params;
	return JSON.stringify({channel, ...rest});
}

export function subscribeCommand(identifier: string): string {
	return JSON.stringify({command: 'subscribe', identifier});
}

export function unsubscribeCommand(identifier: string): string {
	return JSON.stringify({command: 'unsubscribe', identifier});
}

/** `perform(action, data)`: like the JS client, `data` is itself a JSON string that carries `action`. */
export function messageCommand(identifier: string, action: string, data: Readonly<Record<string, unknown>> = {}): string {
	return JSON.stringify({command: 'message', identifier, data: JSON.stringify({...data, action})});
}

/** The ping Rails (and the reference server) send every 3 s: this head, the time in seconds, `}`. */
const pingHeadBytes = Buffer.from('{"type":"ping","message":');
const closingBrace = 0x7D;
const digit0 = 0x30;
const digit9 = 0x39;

/**
 * Whether a frame's bytes are exactly `{"type":"ping","message":<digits>}`: what every held
 * connection receives every 3 s, and all it receives when nothing is broadcast. Looks at the bytes
 * ws hands over: no string, no JSON.parse, nothing allocated. Any other spelling of a ping (keys
 * in another order, spaces, a fractional time) is not matched here and goes through the parser.
 */
export function isCablePing(data: Uint8Array): boolean {
	const last = data.length - 1;
	const head = pingHeadBytes.length;
	// At least one digit between the head and the closing brace.
	if (last <= head || data[last] !== closingBrace) {
		return false;
	}

	for (let index = 0; index < head; index++) {
		if (data[index] !== pingHeadBytes[index]) {
			return false;
		}
	}

	for (let index = head; index < last; index++) {
		const byte = data[index]!;
		if (byte < digit0 || byte > digit9) {
			return false;
		}
	}

	return true;
}

/**
 * A classifier for one subscription's frames (pings are screened out before, on their bytes:
 * isCablePing). Broadcasts are nearly all the rest of the traffic, so they are recognised on the
 * exact bytes Rails (and the reference server) write, `{"identifier":<id>,"message":<json>}`, and
 * a broadcast's data is sliced out of the frame: no JSON.parse and no re-stringify per message.
 * The welcome and this subscription's confirmation, once per connection, are matched whole.
 * Anything else (other key orders, extra keys, escapes the prefix does not match, malformed
 * frames, pings in any spelling) takes the JSON.parse path. The frames returned for welcomes and
 * confirmations are shared: do not change them.
 */
export function createCableFrameParser(identifier: string): (text: string) => CableFrame {
	const quoted = JSON.stringify(identifier);
	const broadcastPrefix = `{"identifier":${quoted},"message":`;
	const confirmText = `{"identifier":${quoted},"type":"confirm_subscription"}`;
	const confirm: CableFrame = Object.freeze({type: 'confirm', identifier});
	return text => {
		// Sound as long as `message` is the frame's last key: Rails' `transmit(identifier:, message:)`
		// and the reference server write it last, and no server we know adds keys after it.
		if (text.startsWith(broadcastPrefix) && text.endsWith('}')) {
			return {type: 'message', identifier, data: text.slice(broadcastPrefix.length, -1)};
		}

		if (text === welcomeText) {
			return welcomeFrame;
		}

		if (text === confirmText) {
			return confirm;
		}

		return parseCableFrame(text);
	};
}

const welcomeText = '{"type":"welcome"}';
const welcomeFrame: CableFrame = Object.freeze({type: 'welcome'});

/** The general path: JSON.parse once and classify. Throws CableProtocolError. */
export function parseCableFrame(text: string): CableFrame {
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch {
		throw new CableProtocolError(`not JSON: ${snippet(text)}`);
	}

	if (typeof value !== 'object' || value === null || Array.isArray(value)) {
		throw new CableProtocolError(`not a JSON object: ${snippet(text)}`);
	}

	const frame = value as Record<string, unknown>;
	const {type, identifier} = frame;
	switch (type) {
		case 'welcome': {
			return {type: 'welcome'};
		}

		case 'ping': {
			return {type: 'ping'};
		}

		case 'confirm_subscription':
		case 'reject_subscription': {
			if (typeof identifier !== 'string') {
				throw new CableProtocolError(`${type} without an identifier string: ${snippet(text)}`);
			}

			return {type: type === 'confirm_subscription' ? 'confirm' : 'reject', identifier};
		}

		case 'disconnect': {
			return {type: 'disconnect', reason: typeof frame['reason'] === 'string' ? frame['reason'] : '', reconnect: frame['reconnect'] !== false};
		}

		case undefined: {
			if (typeof identifier === 'string' && 'message' in frame) {
				return {type: 'message', identifier, data: JSON.stringify(frame['message'])};
			}

			throw new CableProtocolError(`neither a typed frame nor a broadcast: ${snippet(text)}`);
		}

		default: {
			return {type: 'other', name: String(type)};
		}
	}
}

function snippet(text: string): string {
	return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}
