const historyLength = 60;

export type Rates = {messagesPerSec: number; heartbeatsPerSec: number; bytesPerSec: number};
type Counts = {messages: number; heartbeats: number; bytes: number};

/** Rates between two samples of the totals, and a minute of messages/s history (one per sample). */
export class RateSampler {
	rates: Rates = {messagesPerSec: 0, heartbeatsPerSec: 0, bytesPerSec: 0};
	readonly history: number[] = [];
	#last: Counts & {at: number};

	constructor(startedAt: number) {
		this.#last = {at: startedAt, messages: 0, heartbeats: 0, bytes: 0};
	}

	sample(now: number, {messages, heartbeats, bytes}: Counts): void {
		const seconds = (now - this.#last.at) / 1000;
		if (seconds <= 0) {
			return;
		}

		this.rates = {
			messagesPerSec: (messages - this.#last.messages) / seconds,
			heartbeatsPerSec: (heartbeats - this.#last.heartbeats) / seconds,
			bytesPerSec: (bytes - this.#last.bytes) / seconds,
		};
		this.history.push(Math.round(this.rates.messagesPerSec));
		if (this.history.length > historyLength) {
			this.history.shift();
		}

		this.#last = {at: now, messages, heartbeats, bytes};
	}
}
