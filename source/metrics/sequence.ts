/**
 * Where a message's sequence number comes from, in the order they are tried: a `seq` field in
 * the JSON payload (what `sse-tui publish` and the broadcast scenario send), the JSON path
 * given with --seq-field instead, or the SSE event id when it is an integer or the
 * `<ms>-<n>` Redis stream id `serve --redis` sends. Stream ids are ordered but not contiguous:
 * they tell duplicates and order apart, never gaps.
 */
export const enum SequenceSource {
	none = 0,
	seq = 1,
	field = 2,
	id = 3,
	streamId = 4,
}

export const sequenceSourceNames = ['none', 'seq', 'field', 'id', 'streamId'] as const;

export type SequenceReader = {
	/** the source of the last successful read */
	source: SequenceSource;
	/**
	 * The message's sequence number, or -1 when it carries none. `locked`: the source this
	 * client's first sequenced message had; only that source is read from then on, so two
	 * numberings on one stream (a server's event ids, and the `seq` of updates published
	 * through it) never mix, and a stream numbered by its ids costs no payload search.
	 */
	read(data: string, id: string, locked: SequenceSource): number;
};

const seqTail = 'eq":';
const seqHead = '"s';

/**
 * `"seq": <whole number>` found by a substring search, as latency.ts finds `sent_at`:
 * JSON.parse of a 300-byte payload costs several times the rest of a message's handling.
 * The short tail is searched, then the head checked before it (V8 rebuilds a skip table per
 * call for longer needles). A `"seq"` nested deeper than the top level is accepted too; the
 * payloads this is meant for put it at the top.
 */
export function seqField(data: string): number {
	// Publishers put it near the end (before sent_at): look from there first.
	let index = data.lastIndexOf(seqTail);
	if (index !== -1 && !data.startsWith(seqHead, index - seqHead.length)) {
		index = data.indexOf(seqTail);
		while (index !== -1 && !data.startsWith(seqHead, index - seqHead.length)) {
			index = data.indexOf(seqTail, index + seqTail.length);
		}
	}

	if (index === -1) {
		return -1;
	}

	let position = index + seqTail.length;
	while (data.charCodeAt(position) === 32) {
		position++;
	}

	return wholeNumber(data, position, data.length);
}

/** A whole number filling text[start, end), or -1. Digits only: no sign, no fraction, at most 15 digits. */
function wholeNumber(text: string, start: number, end: number): number {
	let value = 0;
	let position = start;
	let code = text.charCodeAt(position);
	while (position < end && code >= 48 && code <= 57) {
		value = (value * 10) + (code - 48);
		code = text.charCodeAt(++position);
	}

	const digits = position - start;
	if (digits === 0 || digits > 15) {
		return -1;
	}

	// A number must end there (JSON delimiter or the end), not run on into `12.5` or `12abc`.
	if (position < end && code !== 44 && code !== 125 && code !== 32 && code !== 93 && code !== 10 && code !== 13) {
		return -1;
	}

	return value;
}

/** An integer event id (digits only, at most 15), or -1. */
export function integerId(id: string): number {
	const {length} = id;
	if (length === 0 || length > 15) {
		return -1;
	}

	let value = 0;
	for (let index = 0; index < length; index++) {
		const code = id.charCodeAt(index);
		if (code < 48 || code > 57) {
			return -1;
		}

		value = (value * 10) + (code - 48);
	}

	return value;
}
const streamIdPattern = /^(\d{1,15})-(\d{1,15})$/;

/**
 * `<ms>-<n>` (a Redis stream id) as one ordered number: ms * 4096 + n, exact below 2^53 for
 * any ms before the year 2500. n over 4095 within one millisecond is clamped (order within
 * that millisecond is then approximate). -1 when the id has another form.
 */
export function streamId(id: string): number {
	const match = streamIdPattern.exec(id);
	if (match === null) {
		return -1;
	}

	return (Number(match[1]) * 4096) + Math.min(Number(match[2]), 4095);
}

/** The value at a dotted path (`a.b.0.c`) of parsed JSON, or undefined. */
export function valueAt(root: unknown, path: readonly string[]): unknown {
	let value = root;
	for (const key of path) {
		if (value === null || typeof value !== 'object') {
			return undefined;
		}

		value = (value as Record<string, unknown>)[key];
	}

	return value;
}

/** Parses text as JSON, or undefined: a message that is not JSON simply has no fields. */
export function parseJson(text: string): unknown {
	const first = text.charCodeAt(0);
	// Only objects and arrays can hold a field; skip the throw for plain text payloads.
	if (first !== 123 && first !== 91 && first !== 32 && first !== 10) {
		return undefined;
	}

	try {
		return JSON.parse(text) as unknown;
	} catch {
		return undefined;
	}
}

/** A sequence number from a JSON value: a whole number, or a string of digits. */
function sequenceValue(value: unknown): number {
	if (typeof value === 'number') {
		return Number.isSafeInteger(value) && value >= 0 ? value : -1;
	}

	if (typeof value === 'string' && /^\d{1,15}$/.test(value)) {
		return Number(value);
	}

	return -1;
}

/**
 * The reader for a run. With --seq-field the payload is parsed (JSON.parse, about a
 * microsecond for 300 bytes) and only that path is used; without it, the fast `"seq":`
 * search, then the event id.
 */
export function createSequenceReader(fieldPath: string | undefined): SequenceReader {
	if (fieldPath !== undefined) {
		const path = fieldPath.split('.');
		const reader: SequenceReader = {
			source: SequenceSource.none,
			read(data) {
				const value = sequenceValue(valueAt(parseJson(data), path));
				reader.source = value === -1 ? SequenceSource.none : SequenceSource.field;
				return value;
			},
		};
		return reader;
	}

	const reader: SequenceReader = {
		source: SequenceSource.none,
		read(data, id, locked) {
			let value = -1;
			switch (locked) {
				case SequenceSource.seq: {
					value = seqField(data);
					break;
				}

				case SequenceSource.id: {
					value = integerId(id);
					break;
				}

				case SequenceSource.streamId: {
					value = streamId(id);
					break;
				}

				default: {
					value = seqField(data);
					if (value !== -1) {
						reader.source = SequenceSource.seq;
						return value;
					}

					value = integerId(id);
					if (value !== -1) {
						reader.source = SequenceSource.id;
						return value;
					}

					value = streamId(id);
					reader.source = value === -1 ? SequenceSource.none : SequenceSource.streamId;
					return value;
				}
			}

			reader.source = value === -1 ? SequenceSource.none : locked;
			return value;
		},
	};
	return reader;
}
