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

/**
 * A classifier for one subscription's frames. Broadcasts and pings are nearly all the traffic,
 * so both are recognised by a prefix match on the exact bytes Rails (and the reference server)
 * write, `{"identifier":<id>,"message":<json>}` and `{"type":"ping",...}`, and a broadcast's
 * data is sliced out of the frame: no JSON.parse and no re-stringify per message. Anything else
 * (other key orders, escapes the prefix does not match, control frames) takes the JSON.parse path.
 */
export function createCableFrameParser(identifier: string): (text: string) => CableFrame {
	const broadcastPrefix = `{"identifier":${JSON.stringify(identifier)},"message":`;
	const pingPrefix = '{"type":"ping"';
	const ping: CableFrame = {type: 'ping'};
	return text => {
		if (text.startsWith(pingPrefix)) {
			return ping;
		}

		// Sound as long as `message` is the frame's last key: Rails' `transmit(identifier:, message:)`
		// and the reference server write it last, and no server we know adds keys after it.
		if (text.startsWith(broadcastPrefix) && text.endsWith('}')) {
			return {type: 'message', identifier, data: text.slice(broadcastPrefix.length, -1)};
		}

		return parseCableFrame(text);
	};
}

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
