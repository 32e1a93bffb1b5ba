/**
 * Wire frames built once per broadcast and shared by every subscriber. WebSocket frames are
 * encoded here rather than by `ws` so the same bytes can go to every socket: a server frame
 * is unmasked, so it is identical for all peers (RFC 6455 section 5.2).
 */

export const sseHeartbeat = Buffer.from(': heartbeat\n\n');

export function sseRetryHint(retryMs: number): Buffer {
	return Buffer.from(`retry: ${retryMs}\n\n`);
}

/** One final, unmasked WebSocket text frame carrying `text`. */
export function wsTextFrame(text: string): Buffer {
	const length = Buffer.byteLength(text);
	let headerLength = 2;
	if (length > 0xff_ff) {
		headerLength = 10;
	} else if (length > 125) {
		headerLength = 4;
	}

	const frame = Buffer.allocUnsafe(headerLength + length);
	frame[0] = 0x81; // FIN + opcode 1 (text).
	if (headerLength === 2) {
		frame[1] = length;
	} else if (headerLength === 4) {
		frame[1] = 126;
		frame.writeUInt16BE(length, 2);
	} else {
		frame[1] = 127;
		frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
		frame.writeUInt32BE(length % 2 ** 32, 6);
	}

	frame.write(text, headerLength, 'utf8');
	return frame;
}

/** ActionCable's broadcast envelope: the identifier is the subscription's JSON string, quoted. */
export function cableMessageFrame(identifier: string, json: string): Buffer {
	return wsTextFrame(`{"identifier":${JSON.stringify(identifier)},"message":${json}}`);
}

export function cableFrame(message: Record<string, unknown>): Buffer {
	return wsTextFrame(JSON.stringify(message));
}

/** Where pre-built frames go for a WebSocket peer: nothing after the close handshake began. */
export function webSocketSink(ws: {readonly readyState: number}, socket: {write(chunk: Buffer): boolean; readonly writableLength: number; destroy(): void; cork?(): void; uncork?(): void}): {
	write(chunk: Buffer): boolean;
	readonly writableLength: number;
	destroy(): void;
	cork?(): void;
	uncork?(): void;
} {
	const open = 1; // WebSocket.OPEN
	return {
		write: chunk => (ws.readyState === open ? socket.write(chunk) : false),
		get writableLength() {
			return socket.writableLength;
		},
		destroy: () => socket.destroy(),
		// Many frames of one flush (a cable socket with many subscriptions): one writev, no copy.
		...(socket.cork && socket.uncork ? {cork: () => socket.cork!(), uncork: () => socket.uncork!()} : {}),
	};
}
