/**
 * A pure, streaming text/event-stream parser: WHATWG HTML §9.2.6 "Interpreting an event stream".
 * https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
 *
 * Bytes are decoded as UTF-8 exactly as StringDecoder does it (split multi-byte characters are
 * held back, invalid bytes become U+FFFD) and lines are cut with String indexOf/slice, which V8
 * runs as intrinsics; a byte-level parser measured 2-3x slower (MEASURED.md point 5).
 */
import {StringDecoder} from 'node:string_decoder';

export type SseEvent = {type: string; data: string; id: string};

export type SseParserCallbacks = {
	/** Dispatched events only: a blank line after at least one `data` field. */
	onEvent(event: SseEvent): void;
	/** A line starting with ':'; the text after it, with one leading space removed. */
	onComment?(text: string): void;
	/** A `retry` field whose value is one or more ASCII digits. */
	onRetry?(ms: number): void;
};

export type SseParserOptions = {
	/**
	 * Cap, in string length (UTF-16 code units, not bytes), on an unterminated line and on the
	 * event's data as it would be dispatched. Past it, feed() throws SseParseError. Default 8 Mi.
	 */
	maxEventSize?: number;
};

export class SseParseError extends Error {
	override readonly name = 'SseParseError';
	readonly kind: 'too-large' = 'too-large';
	readonly limit: number;

	constructor(limit: number, what: 'line' | 'data') {
		super(`SSE ${what === 'line' ? 'line' : 'event data'} exceeded maxEventSize (${limit} characters)`);
		this.limit = limit;
	}
}

export type SseParser = {
	/** Parse chunk[start, end) (default: all of it); nothing of `chunk` is kept, so it may be reused. */
	feed(chunk: Uint8Array, start?: number, end?: number): void;
	/** End of stream: discards an unterminated line or event; the parser is then ready for a new stream. */
	end(): void;
	/** Start a new stream (reconnect): clears everything except lastEventId. */
	reset(): void;
	/** The spec's "last event ID string", committed at every blank line; send it as Last-Event-ID. */
	readonly lastEventId: string;
	/** Characters held for what is not complete yet: the unterminated line and the event's data. */
	readonly buffered: number;
};

const LF = 10;
const SPACE = 32;
const COLON = 58;
const BOM = 0xfe_ff;
const defaultMaxEventSize = 8 * 1024 * 1024;


export function createSseParser(callbacks: SseParserCallbacks, options: SseParserOptions = {}): SseParser {
	return new Parser(callbacks, options.maxEventSize ?? defaultMaxEventSize);
}

// A class, not closures: one parser per connection, and 10k connections share the methods
// (about 0.7 KB per parser instead of about 1.9 KB, and call sites stay monomorphic).
class Parser implements SseParser {
	// Created only when a chunk ends inside a multi-byte character (a chunk ending in an ASCII byte,
	// the usual "\n", leaves a StringDecoder nothing to hold back and decodes exactly like
	// Buffer#toString): a StringDecoder costs about 270 bytes of heap, per held stream.
	private decoder: StringDecoder | undefined = undefined;
	private bomPending = true;
	// The previous text ended in CR: a LF starting the next text completes that CRLF, not a new line.
	private skipLf = false;
	private pending = '';
	private failed = false;
	// `data` holds the data lines joined by "\n"; the spec's buffer ("line\n" per line) is empty
	// exactly when dataLines is 0, and its dispatched value (trailing "\n" dropped) equals `data`.
	private data = '';
	private dataLines = 0;
	private eventType = '';
	private committedId = '';
	// The spec's "last event ID buffer". A new stream starts it from the committed id, as Chromium
	// does (EventSourceParser(last_event_id)), so events after a reconnect keep the old id.
	private idBuffer = '';
	// Position of the next ':' in the string being scanned, so colon-less lines don't rescan it.
	private nextColon = -1;

	constructor(
		private readonly callbacks: SseParserCallbacks,
		private readonly max: number,
	) {}

	get lastEventId(): string {
		return this.committedId;
	}

	get buffered(): number {
		return this.pending.length + this.data.length;
	}

	feed(chunk: Uint8Array, start = 0, end = chunk.length): void {
		if (this.failed) throw new Error('SSE parser failed on a too-large line or event; call reset() before feeding it again');
		const text = this.decode(chunk, start, end);
		if (text.length === 0) return;
		let pos = 0;
		if (this.bomPending) {
			this.bomPending = false;
			if (text.charCodeAt(0) === BOM) pos = 1;
		}
		if (this.skipLf) {
			this.skipLf = false;
			if (text.charCodeAt(pos) === LF) pos++;
		}
		const cr = text.indexOf('\r', pos);
		if (this.pending !== '') {
			pos = this.completePending(text, pos, cr);
			if (pos === -1) return;
		}
		this.nextColon = -1;
		pos = cr === -1 ? this.linesLf(text, pos) : this.linesAny(text, pos, cr);
		if (pos < text.length) {
			this.pending = pos === 0 ? text : text.slice(pos);
			if (this.pending.length > this.max) this.fail('line');
		}
	}

	// Flushed bytes could only extend the unterminated last line, which is discarded anyway.
	end(): void {
		this.reset();
	}

	reset(): void {
		// Drops a partial character along with the decoder, ready for new input.
		this.decoder = undefined;
		this.bomPending = true;
		this.skipLf = false;
		this.pending = '';
		this.failed = false;
		this.data = '';
		this.dataLines = 0;
		this.eventType = '';
		this.idBuffer = this.committedId;
	}

	private decode(chunk: Uint8Array, start: number, end: number): string {
		if (end <= start) return '';
		const buffer = chunk instanceof Buffer ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
		if (this.decoder === undefined) {
			if (chunk[end - 1]! < 0x80) {
				return start === 0 && end === buffer.length ? buffer.toString() : buffer.toString(undefined, start, end);
			}
			this.decoder = new StringDecoder('utf8');
		}
		return this.decoder.write(start === 0 && end === buffer.length ? buffer : buffer.subarray(start, end));
	}

	private fail(what: 'line' | 'data'): never {
		this.reset();
		this.failed = true;
		throw new SseParseError(this.max, what);
	}

	// Joins the pending line with the start of `text`; returns where the rest begins, or -1.
	private completePending(text: string, pos: number, cr: number): number {
		const lf = text.indexOf('\n', pos);
		const end = cr === -1 ? lf : lf === -1 || cr < lf ? cr : lf;
		if (end === -1) {
			this.pending += pos === 0 ? text : text.slice(pos);
			if (this.pending.length > this.max) this.fail('line');
			return -1;
		}
		const first = this.pending + text.slice(pos, end);
		this.pending = '';
		this.nextColon = -1;
		this.line(first, 0, first.length);
		return end === cr ? this.afterCr(text, end) : end + 1;
	}

	private afterCr(text: string, cr: number): number {
		if (cr + 1 === text.length) this.skipLf = true;
		else if (text.charCodeAt(cr + 1) === LF) return cr + 2;
		return cr + 1;
	}

	// Fast path for text without CR.
	private linesLf(text: string, pos: number): number {
		let lf = text.indexOf('\n', pos);
		while (lf !== -1) {
			if (lf === pos) {
				this.dispatch();
			} else {
				this.parseLine(text, pos, lf);
				// The usual "\n\n" event end: dispatch without searching for the empty line.
				if (text.charCodeAt(lf + 1) === LF) {
					this.dispatch();
					lf++;
				}
			}
			pos = lf + 1;
			lf = text.indexOf('\n', pos);
		}
		return pos;
	}

	// Any mix of CR, LF and CRLF; the next CR and LF positions are kept so neither is searched twice.
	private linesAny(text: string, pos: number, cr: number): number {
		let lf = text.indexOf('\n', pos);
		for (;;) {
			if (cr !== -1 && cr < pos) cr = text.indexOf('\r', pos);
			if (lf !== -1 && lf < pos) lf = text.indexOf('\n', pos);
			const end = cr === -1 ? lf : lf === -1 || cr < lf ? cr : lf;
			if (end === -1) return pos;
			this.line(text, pos, end);
			pos = end === cr ? this.afterCr(text, end) : end + 1;
		}
	}

	private line(s: string, start: number, end: number): void {
		if (start === end) this.dispatch();
		else this.parseLine(s, start, end);
	}

	// §9.2.6 "dispatch the event".
	private dispatch(): void {
		this.committedId = this.idBuffer;
		if (this.dataLines === 0) {
			this.eventType = '';
			return;
		}
		const event: SseEvent = {type: this.eventType === '' ? 'message' : this.eventType, data: this.data, id: this.committedId};
		this.data = '';
		this.dataLines = 0;
		this.eventType = '';
		this.callbacks.onEvent(event);
	}

	private appendData(value: string): void {
		this.data = this.dataLines === 0 ? value : this.data + '\n' + value;
		this.dataLines++;
		if (this.data.length > this.max) this.fail('data');
	}

	private setId(value: string): void {
		if (!value.includes('\0')) this.idBuffer = value;
	}

	// One non-empty line, s[start, end); s[end] is CR, LF or past the end, never a name character.
	// Kept under V8's inlining limit (460 bytes of bytecode) so the line loops inline it.
	private parseLine(s: string, start: number, end: number): void {
		const c = s.charCodeAt(start);
		if (c === 100 && s.charCodeAt(start + 1) === 97 && s.charCodeAt(start + 2) === 116 && s.charCodeAt(start + 3) === 97 && s.charCodeAt(start + 4) === COLON) {
			this.appendData(s.slice(s.charCodeAt(start + 5) === SPACE ? start + 6 : start + 5, end));
		} else if (c === COLON) {
			if (this.callbacks.onComment) this.callbacks.onComment(s.slice(s.charCodeAt(start + 1) === SPACE ? start + 2 : start + 1, end));
		} else {
			this.parseField(s, start, end);
		}
	}

	private parseField(s: string, start: number, end: number): void {
		const c = s.charCodeAt(start);
		if (c === 101 && s.charCodeAt(start + 1) === 118 && s.charCodeAt(start + 2) === 101 && s.charCodeAt(start + 3) === 110 && s.charCodeAt(start + 4) === 116 && s.charCodeAt(start + 5) === COLON) {
			this.eventType = s.slice(s.charCodeAt(start + 6) === SPACE ? start + 7 : start + 6, end);
			return;
		}
		if (c === 105 && s.charCodeAt(start + 1) === 100 && s.charCodeAt(start + 2) === COLON) {
			this.setId(s.slice(s.charCodeAt(start + 3) === SPACE ? start + 4 : start + 3, end));
			return;
		}
		if (this.nextColon < start) {
			this.nextColon = s.indexOf(':', start);
			if (this.nextColon === -1) this.nextColon = s.length;
		}
		// No colon: the whole line is the field name and the value is empty.
		const nameEnd = this.nextColon < end ? this.nextColon : end;
		let valueStart = nameEnd < end ? nameEnd + 1 : end;
		if (valueStart < end && s.charCodeAt(valueStart) === SPACE) valueStart++;
		// Field names are case-sensitive; any other name is ignored.
		switch (nameEnd - start) {
			case 2:
				if (s.startsWith('id', start)) this.setId(s.slice(valueStart, end));
				return;
			case 4:
				if (s.startsWith('data', start)) this.appendData(s.slice(valueStart, end));
				return;
			case 5:
				if (s.startsWith('event', start)) {
					this.eventType = s.slice(valueStart, end);
				} else if (s.startsWith('retry', start) && this.callbacks.onRetry) {
					// Rare enough for a regex. An empty value is ignored too (Chromium resets the delay).
					const value = s.slice(valueStart, end);
					if (/^[0-9]+$/.test(value)) this.callbacks.onRetry(Number(value));
				}
		}
	}
}
