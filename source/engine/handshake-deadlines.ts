/** A socket waiting for its handshake (socket-attempt.ts's ClientSocket). */
export type Connecting = {
	/** performance.now() when it started connecting */
	readonly started: number;
	/** its deadline passed: give up on it */
	handshakeTimedOut(): void;
};

/**
 * The handshake timeouts of every connecting socket with one timeout length, served by one timer.
 * A Timeout per socket lived as long as the handshake, which during a ramp of thousands of
 * connections is long enough for the young generation to promote it to the old space, where it
 * died and left a hole. Sockets here share the timeout, so they expire in the order they started:
 * a queue in start order, whose timer is set for the oldest socket still waiting.
 */
export class HandshakeDeadlines {
	/** connecting sockets in start order; undefined once opened, closed or timed out */
	private readonly waiting: Array<Connecting | undefined> = [];
	/** slots taken off the front of `waiting` so far: slot = dropped + index */
	private dropped = 0;
	private pending = 0;
	private timer: NodeJS.Timeout | undefined = undefined;

	constructor(private readonly timeoutMs: number) {}

	/** Returns the socket's slot. */
	add(socket: Connecting): number {
		this.waiting.push(socket);
		this.pending++;
		this.timer ??= setTimeout(expireHandshakes, this.timeoutMs, this);
		return this.dropped + this.waiting.length - 1;
	}

	remove(slot: number): void {
		const index = slot - this.dropped;
		if (this.waiting[index] === undefined) {
			return;
		}

		this.waiting[index] = undefined;
		if (--this.pending === 0) {
			// Nothing left to time out: no timer holds the process, and the queue starts over.
			clearTimeout(this.timer);
			this.timer = undefined;
			this.dropped += this.waiting.length;
			this.waiting.length = 0;
		}
	}

	/** @internal the timer: time out every socket past its deadline, then wait for the next one */
	expire(): void {
		this.timer = undefined;
		const now = performance.now();
		const {waiting} = this;
		const expired: Connecting[] = [];
		let index = 0;
		for (; index < waiting.length; index++) {
			const socket = waiting[index];
			if (socket === undefined) {
				continue;
			}

			const leftMs = socket.started + this.timeoutMs - now;
			if (leftMs > 0) {
				this.timer = setTimeout(expireHandshakes, Math.ceil(leftMs), this);
				break;
			}

			expired.push(socket);
		}

		waiting.splice(0, index);
		this.dropped += index;
		this.pending -= expired.length;
		for (const socket of expired) {
			socket.handshakeTimedOut();
		}
	}
}

function expireHandshakes(deadlines: HandshakeDeadlines): void {
	deadlines.expire();
}

const deadlinesByTimeout = new Map<number, HandshakeDeadlines>();

/** The deadlines of every socket with this handshake timeout. */
export function handshakeDeadlines(timeoutMs: number): HandshakeDeadlines {
	let deadlines = deadlinesByTimeout.get(timeoutMs);
	if (deadlines === undefined) {
		deadlines = new HandshakeDeadlines(timeoutMs);
		deadlinesByTimeout.set(timeoutMs, deadlines);
	}

	return deadlines;
}
