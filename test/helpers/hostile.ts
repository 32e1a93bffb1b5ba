import {createHash} from 'node:crypto';
import {readFileSync} from 'node:fs';

/** The highest resident set size (bytes) of a running process, sampled from /proc every 50 ms until stop(). */
export function watchPeakRss(pid: number): {stop(): number} {
	let peak = 0;
	const sample = () => {
		try {
			const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
			if (match) {
				peak = Math.max(peak, Number(match[1]) * 1024);
			}
		} catch {
			// gone already
		}
	};

	sample();
	const timer = setInterval(sample, 50);
	return {
		stop() {
			clearInterval(timer);
			return peak;
		},
	};
}

/** A WebSocket upgrade answer (RFC 6455 §4.2.2) to a raw request head, with no subprotocol. */
export function upgradeAnswer(head: string): string {
	const key = /sec-websocket-key:\s*(\S+)/i.exec(head)?.[1] ?? '';
	const accept = createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
	return `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`;
}

/** The head of one unmasked server frame (text, FIN by default) announcing `length` bytes of payload. */
export function frameHead(length: number, opcode = 0x1, fin = true): Buffer {
	const first = (fin ? 0x80 : 0) | opcode;
	if (length < 126) {
		return Buffer.from([first, length]);
	}

	if (length < 65_536) {
		const head = Buffer.from([first, 126, 0, 0]);
		head.writeUInt16BE(length, 2);
		return head;
	}

	const head = Buffer.alloc(10);
	head[0] = first;
	head[1] = 127;
	head.writeBigUInt64BE(BigInt(length), 2);
	return head;
}
