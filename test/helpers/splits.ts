import process from 'node:process';

/** Random splits use seeds derived from this one; set HTTP_SPLIT_SEED to replay a failure. */
export const baseSeed = Number(process.env['HTTP_SPLIT_SEED'] ?? Math.floor(Math.random() * 2 ** 31));

export function mulberry32(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6D_2B_79_F5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
	};
}

/** Cut points for `length` bytes: sometimes a few big pieces, sometimes many 1-4 byte pieces. */
function randomCuts(length: number, random: () => number): number[] {
	const sizes: number[] = [];
	const tiny = random() < 0.3;
	let position = 0;
	while (position < length) {
		const size = tiny ? 1 + Math.floor(random() * 4) : 1 + Math.floor(random() * Math.max(1, length / 3));
		sizes.push(Math.min(size, length - position));
		position += size;
	}

	return sizes;
}

/** The ways to cut a byte stream that every framing test runs: whole, byte by byte, random. */
export function splits(bytes: Buffer, randomCount = 8): Array<{label: string; pieces: Buffer[]}> {
	const result = [
		{label: 'whole', pieces: [bytes]},
		{label: 'one byte at a time', pieces: Array.from(bytes, byte => Buffer.of(byte))},
	];
	for (let index = 0; index < randomCount; index++) {
		const seed = baseSeed + index;
		const random = mulberry32(seed);
		let position = 0;
		const pieces = randomCuts(bytes.length, random).map(size => bytes.subarray(position, (position += size)));
		result.push({label: `random split, seed ${seed} (HTTP_SPLIT_SEED=${baseSeed})`, pieces});
	}

	return result;
}

/** Runs `check` on every split of `text` (latin1), naming the split on failure. */
export function forEachSplit(text: string, check: (pieces: Buffer[]) => void): void {
	for (const {label, pieces} of splits(Buffer.from(text, 'latin1'))) {
		try {
			check(pieces);
		} catch (error) {
			if (error instanceof Error) {
				error.message = `[${label}] ${error.message}`;
			}

			throw error;
		}
	}
}

/**
 * Each piece copied into one reused buffer with junk after it, as net's `onread` reading
 * hands it over: code under test must stop at `end` and keep nothing.
 */
export function* throughReusedBuffer(pieces: Buffer[]): Generator<{buffer: Buffer; end: number}> {
	const buffer = Buffer.alloc(Math.max(64, ...pieces.map(piece => piece.length + 16)));
	for (const piece of pieces) {
		buffer.fill('\r\n0\r\n\r\nX\n\n');
		piece.copy(buffer);
		yield {buffer, end: piece.length};
	}
}
