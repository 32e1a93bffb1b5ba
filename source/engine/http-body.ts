/**
 * The body of an HTTP/1.1 response as it arrives: framed by Content-Length, by chunked
 * transfer coding, or by the connection's close (RFC 9112 §6.3). The decoder hands its sink
 * ranges of the buffer it was given (for chunked, each chunk's data, read past the framing):
 * nothing is copied or allocated and nothing is kept, so the caller may reuse its read buffer.
 * https://www.rfc-editor.org/rfc/rfc9112#section-7.1
 */
import {HttpParseError, indexOfLf, type ResponseHeaders} from './http-head.js';

export type BodySink = {
	/** Body bytes buffer[start, end); return false to stop decoding (the reader was closed). */
	onBodyData(buffer: Buffer, start: number, end: number): boolean;
};

/** decode() results */
export const needMore = 0;
export const complete = 1;
export const stopped = 2;
export type DecodeResult = typeof needMore | typeof complete | typeof stopped;

const untilClose = 0;
const byLength = 1;
const chunked = 2;

// Chunked states.
const size = 0; // chunk-size hex digits
const extension = 1; // after the size: chunk-ext, up to CR LF
const sizeLf = 2; // CR seen after the size line
const data = 3; // `remaining` bytes of chunk-data
const dataCr = 4; // the CR LF after chunk-data
const dataLf = 5;
const trailer = 6; // trailer field lines after the last chunk, up to an empty line
const done = 7;

const LF = 10;
const CR = 13;
// A chunk size past 2^48 bytes (13 hex digits) is nonsense or an attack, and stays an exact number.
const maxSizeDigits = 12;
// Chunk extensions and trailers are skipped, but not without end.
const maxLineBytes = 64 * 1024;

export class BodyDecoder {
	private state = size;
	private remaining: number;
	private digits = 0;
	private lineBytes = 0;
	private trailerBytes = 0;
	private lastWasCr = false;

	constructor(private readonly framing: number, length = 0) {
		this.remaining = length;
	}

	/** The framing the response's status and headers say (RFC 9112 §6.3), for a GET. */
	static forResponse(status: number, headers: ResponseHeaders): BodyDecoder {
		if (status === 204 || status === 304 || (status >= 100 && status < 200)) {
			return new BodyDecoder(byLength, 0);
		}

		const codings = headers['transfer-encoding'];
		if (codings !== undefined) {
			const list = codings.toLowerCase().split(',').map(coding => coding.trim()).filter(Boolean);
			if (list.length === 1 && list[0] === 'chunked') {
				return new BodyDecoder(chunked);
			}

			// We ask for no coding (no TE header), so anything but plain chunked is unreadable here.
			throw new HttpParseError(`unsupported Transfer-Encoding "${codings}"`);
		}

		const length = headers['content-length'];
		if (length !== undefined) {
			// A list of equal values is one value (RFC 9110 §8.6); anything else is an error.
			const values = new Set(length.split(',').map(value => value.trim()));
			const [only] = values;
			if (values.size !== 1 || !/^\d{1,15}$/.test(only!)) {
				throw new HttpParseError(`bad Content-Length "${length}"`);
			}

			return new BodyDecoder(byLength, Number(only));
		}

		return new BodyDecoder(untilClose);
	}

	/** Whether the body was complete (a connection that closes now cut nothing short). */
	get finished(): boolean {
		return this.framing === untilClose || (this.framing === byLength ? this.remaining === 0 : this.state === done);
	}

	/** Decodes chunk[start, end); bytes past `end` are not looked at. */
	decode(chunk: Buffer, start: number, end: number, sink: BodySink): DecodeResult {
		if (this.framing === untilClose) {
			return start < end && !sink.onBodyData(chunk, start, end) ? stopped : needMore;
		}

		if (this.framing === byLength) {
			const available = end - start;
			if (available > 0 && this.remaining > 0) {
				const take = available < this.remaining ? available : this.remaining;
				this.remaining -= take;
				if (!sink.onBodyData(chunk, start, start + take)) {
					return stopped;
				}
			}

			return this.remaining === 0 ? complete : needMore;
		}

		return this.decodeChunked(chunk, start, end, sink);
	}

	private decodeChunked(chunk: Buffer, start: number, end: number, sink: BodySink): DecodeResult {
		let position = start;
		while (position < end) {
			switch (this.state) {
				case data: {
					const available = end - position;
					const take = available < this.remaining ? available : this.remaining;
					const from = position;
					this.remaining -= take;
					position += take;
					if (this.remaining === 0) {
						this.state = dataCr;
					}

					if (!sink.onBodyData(chunk, from, position)) {
						return stopped;
					}

					break;
				}

				case size: {
					position = this.sizeDigits(chunk, position, end);
					break;
				}

				case extension: {
					// Skip to the end of the line; RFC 9112 §7.1.1 lets a recipient ignore extensions.
					const lf = indexOfLf(chunk, position, end);
					const stop = lf === -1 ? end : lf;
					this.countLine(stop - position, 'chunk extension');
					position = stop;
					if (lf !== -1) {
						this.endSizeLine();
						position++;
					}

					break;
				}

				case sizeLf: {
					if (chunk[position] !== LF) {
						throw new HttpParseError('bad chunk size line: CR without LF');
					}

					this.endSizeLine();
					position++;
					break;
				}

				case dataCr: {
					const c = chunk[position];
					// A bare LF is accepted as the line end (RFC 9112 §2.2).
					if (c === CR) {
						this.state = dataLf;
					} else if (c === LF) {
						this.state = size;
					} else {
						throw new HttpParseError('chunk data longer than its chunk size (no CRLF after it)');
					}

					position++;
					break;
				}

				case dataLf: {
					if (chunk[position] !== LF) {
						throw new HttpParseError('chunk data longer than its chunk size (CR without LF after it)');
					}

					this.state = size;
					position++;
					break;
				}

				case trailer: {
					// Returns past the empty line that ends the body, having set `done`.
					position = this.trailerLines(chunk, position, end);
					break;
				}

				default: {
					// done: whatever follows the body is not ours to read.
					return complete;
				}
			}
		}

		return this.state === done ? complete : needMore;
	}

	private sizeDigits(chunk: Buffer, start: number, end: number): number {
		let position = start;
		while (position < end) {
			const c = chunk[position]!;
			const digit = c >= 48 && c <= 57 ? c - 48 : ((c | 0x20) >= 97 && (c | 0x20) <= 102 ? (c | 0x20) - 87 : -1);
			if (digit === -1) {
				if (this.digits === 0) {
					throw new HttpParseError(`bad chunk size: expected a hex digit, got ${describeByte(c)}`);
				}

				if (c === CR) {
					this.state = sizeLf;
				} else if (c === LF) {
					this.endSizeLine();
				} else if (c === 59 || c === 32 || c === 9) {
					// ";" starts an extension; BWS may come before it.
					this.state = extension;
					this.lineBytes = 0;
				} else {
					throw new HttpParseError(`bad chunk size: unexpected ${describeByte(c)}`);
				}

				return position + 1;
			}

			if (++this.digits > maxSizeDigits) {
				throw new HttpParseError(`chunk size has more than ${maxSizeDigits} hex digits`);
			}

			this.remaining = (this.remaining * 16) + digit;
			position++;
		}

		return position;
	}

	private endSizeLine(): void {
		this.digits = 0;
		this.lineBytes = 0;
		this.state = this.remaining === 0 ? trailer : data;
	}

	private countLine(bytes: number, what: string): void {
		this.lineBytes += bytes;
		if (this.lineBytes > maxLineBytes) {
			throw new HttpParseError(`${what} longer than ${maxLineBytes} bytes`);
		}
	}

	// Trailer fields are read past, not parsed: an SSE client has no use for them.
	private trailerLines(chunk: Buffer, start: number, end: number): number {
		let position = start;
		while (position < end) {
			const lf = indexOfLf(chunk, position, end);
			const stop = lf === -1 ? end : lf;
			this.trailerBytes += stop - position;
			this.lineBytes += stop - position;
			if (this.trailerBytes > maxLineBytes) {
				throw new HttpParseError(`chunked trailer longer than ${maxLineBytes} bytes`);
			}

			if (lf === -1) {
				this.lastWasCr = chunk[end - 1] === CR;
				return end;
			}

			// An empty line, "\r\n" or a bare "\n", ends the body. The CR may be in an earlier chunk.
			const empty = this.lineBytes === 0 || (this.lineBytes === 1 && (lf > position ? chunk[lf - 1] === CR : this.lastWasCr));
			this.lineBytes = 0;
			position = lf + 1;
			if (empty) {
				this.state = done;
				return position;
			}
		}

		return position;
	}
}

function describeByte(c: number): string {
	return c >= 33 && c < 127 ? `"${String.fromCharCode(c)}"` : `byte 0x${c.toString(16).padStart(2, '0')}`;
}
