import {cableMessageFrame, wsTextFrame} from './frames.js';
import type {ReplayStore} from './replay.js';

export type Protocol = 'sse' | 'cable' | 'ws';

/** The part of a socket (or HTTP response) the fan-out writes to. */
export type Sink = {
	write(chunk: Buffer): boolean;
	readonly writableLength: number;
	destroy(): void;
};

/** One connected client. Frames queue in `pending` and leave in one write per tick. */
export class Subscriber {
	pending: Buffer[] = [];
	pendingBytes = 0;
	/** The socket's own backlog when this tick's queue started (it only shrinks until we write). */
	socketBacklog = 0;
	open = true;
	/** ActionCable identifiers streaming `dashboard_updates` on this connection. */
	readonly streams = new Set<string>();

	constructor(
		readonly protocol: Protocol,
		readonly sink: Sink,
		readonly id: number,
	) {}
}

export type DropReason = 'slow-consumer';

export type BroadcasterOptions = {
	replay: ReplayStore;
	/** Unsent bytes (socket buffer + queued) above which a subscriber is dropped. */
	maxBuffer: number;
	onDrop?: (subscriber: Subscriber, reason: DropReason, bufferedBytes: number) => void;
};

/** `messages` counts broadcast deliveries queued, not heartbeats or control frames. */
type Counts = {current: number; total: number; messages: number};

/**
 * Fan-out for every protocol. A broadcast is serialised once into the SSE frame, the ws frame
 * and one cable frame per distinct identifier; each subscriber gets a reference to those
 * buffers in its queue, and all queues are flushed together on the next `setImmediate`, so a
 * burst of events costs one write per subscriber instead of one per event.
 */
export class Broadcaster {
	readonly counts: Record<Protocol, Counts> = {
		sse: {current: 0, total: 0, messages: 0},
		cable: {current: 0, total: 0, messages: 0},
		ws: {current: 0, total: 0, messages: 0},
	};

	broadcasts = 0;
	drops = 0;
	private readonly sets: Record<Protocol, Set<Subscriber>> = {sse: new Set(), cable: new Set(), ws: new Set()};
	/** Cable subscribers of `dashboard_updates`, grouped by identifier so each frame is built once. */
	private readonly cableStreams = new Map<string, Set<Subscriber>>();
	private dirty: Subscriber[] = [];
	private flushScheduled = false;
	private nextId = 1;
	private readonly flushBound = (): void => {
		this.flush();
	};

	constructor(private readonly options: BroadcasterOptions) {}

	get size(): number {
		return this.sets.sse.size + this.sets.cable.size + this.sets.ws.size;
	}

	add(protocol: Protocol, sink: Sink): Subscriber {
		const subscriber = new Subscriber(protocol, sink, this.nextId++);
		this.sets[protocol].add(subscriber);
		this.counts[protocol].current++;
		this.counts[protocol].total++;
		return subscriber;
	}

	/** Forget a subscriber (idempotent; call it from the socket's `close`). */
	remove(subscriber: Subscriber): void {
		if (!this.sets[subscriber.protocol].delete(subscriber)) {
			return;
		}

		subscriber.open = false;
		subscriber.pending = [];
		subscriber.pendingBytes = 0;
		this.counts[subscriber.protocol].current--;
		for (const identifier of subscriber.streams) {
			this.unstream(subscriber, identifier);
		}
	}

	subscribers(protocol: Protocol): ReadonlySet<Subscriber> {
		return this.sets[protocol];
	}

	stream(subscriber: Subscriber, identifier: string): void {
		if (!subscriber.open) {
			return;
		}

		subscriber.streams.add(identifier);
		let set = this.cableStreams.get(identifier);
		if (!set) {
			set = new Set();
			this.cableStreams.set(identifier, set);
		}

		set.add(subscriber);
	}

	unstream(subscriber: Subscriber, identifier: string): void {
		subscriber.streams.delete(identifier);
		const set = this.cableStreams.get(identifier);
		if (set?.delete(subscriber) && set.size === 0) {
			this.cableStreams.delete(identifier);
		}
	}

	/** Serialise `message` as JSON once and send it everywhere; returns the deliveries queued. */
	broadcast(message: unknown): number {
		const json = JSON.stringify(message) as string | undefined;
		if (json === undefined) {
			throw new TypeError(`broadcast() needs a JSON-serialisable message (got ${typeof message})`);
		}

		return this.publish(json);
	}

	/**
	 * The seam for other producers (issue 6: one Redis subscription per process): `json` is
	 * an already serialised message, sent as is; `id` is its SSE id when one was assigned
	 * elsewhere (a Redis stream id), else the replay store numbers it.
	 */
	publish(json: string, id?: string): number {
		this.broadcasts++;
		const entry = this.options.replay.append(json, id);
		const sse = this.sendAll('sse', entry.frame);
		const ws = this.sets.ws.size > 0 ? this.sendAll('ws', wsTextFrame(json)) : 0;
		let cable = 0;
		for (const [identifier, set] of this.cableStreams) {
			const frame = cableMessageFrame(identifier, json);
			for (const subscriber of set) {
				if (this.enqueue(subscriber, frame)) {
					cable++;
				}
			}
		}

		this.counts.sse.messages += sse;
		this.counts.ws.messages += ws;
		this.counts.cable.messages += cable;
		return sse + ws + cable;
	}

	/** Queue one pre-built frame for every subscriber of a protocol (heartbeats, cable pings). */
	sendAll(protocol: Protocol, frame: Buffer): number {
		let deliveries = 0;
		for (const subscriber of this.sets[protocol]) {
			if (this.enqueue(subscriber, frame)) {
				deliveries++;
			}
		}

		return deliveries;
	}

	/** Queue a frame for one subscriber; false when it was dropped (or already gone). */
	enqueue(subscriber: Subscriber, frame: Buffer): boolean {
		if (!subscriber.open) {
			return false;
		}

		if (subscriber.pendingBytes === 0) {
			// Read once per tick: a getter call per event would cost ~10% at 1M deliveries/s.
			subscriber.socketBacklog = subscriber.sink.writableLength;
		}

		const buffered = subscriber.socketBacklog + subscriber.pendingBytes + frame.length;
		if (buffered > this.options.maxBuffer) {
			this.drop(subscriber, buffered);
			return false;
		}

		if (subscriber.pendingBytes === 0) {
			this.dirty.push(subscriber);
			if (!this.flushScheduled) {
				this.flushScheduled = true;
				setImmediate(this.flushBound);
			}
		}

		subscriber.pending.push(frame);
		subscriber.pendingBytes += frame.length;
		return true;
	}

	/** Write every queue now: one write per subscriber. Also runs on its own every tick. */
	flush(): void {
		this.flushScheduled = false;
		const dirty = this.dirty;
		this.dirty = [];
		for (const subscriber of dirty) {
			const {pending, pendingBytes} = subscriber;
			if (!subscriber.open || pendingBytes === 0) {
				continue;
			}

			subscriber.pending = [];
			subscriber.pendingBytes = 0;
			subscriber.sink.write(pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes));
		}
	}

	private drop(subscriber: Subscriber, buffered: number): void {
		this.drops++;
		this.remove(subscriber);
		this.options.onDrop?.(subscriber, 'slow-consumer', buffered);
		subscriber.sink.destroy();
	}
}
