import type {MetricsStore} from '../metrics/store.js';
import type {AgentMember} from './agent-group.js';
import {keys, keyTtlMs, type Envelope} from './protocol.js';
import type {Connection} from './redis.js';

const group = 'controller';

type Entry = [id: string, fields: string[]];

/**
 * The controller's reading of the metrics stream: a consumer group (XREADGROUP), each agent's
 * messages merged strictly in sequence (held back past a gap until the agent sends the missing
 * one again), repeats dropped, then XACK + XDEL and the merged sequence written to the acks hash
 * so the agent can forget what arrived. A Redis restart loses the group: it is made again.
 */
export function readMetrics({connection, writer, names, plan, members, store, onMessage}: {
	connection: Connection;
	writer: Connection;
	names: ReturnType<typeof keys>;
	plan: () => string;
	members: Map<string, AgentMember>;
	store: MetricsStore;
	onMessage(member: AgentMember, envelope: Envelope): void;
}): {stop(): Promise<void>} {
	const {redis} = connection;
	let running = true;
	const held = new Map<string, Map<number, Envelope>>();
	const merged = new Map<string, number>();
	const ensureGroup = async () => {
		await redis.xgroup('CREATE', names.metrics, group, '0', 'MKSTREAM').catch((error: Error) => {
			if (!error.message.includes('BUSYGROUP')) {
				throw error;
			}
		});
		await redis.pexpire(names.metrics, keyTtlMs);
	};

	const handle = (entries: Entry[]) => {
		const touched = new Set<string>();
		for (const [, fields] of entries) {
			let envelope: Envelope;
			try {
				envelope = JSON.parse(fields[1] ?? '') as Envelope;
			} catch {
				continue;
			}

			const member = members.get(envelope.agent);
			if (envelope.plan !== plan() || member === undefined || member.done) {
				continue;
			}

			touched.add(envelope.agent);
			const last = merged.get(envelope.agent) ?? 0;
			if (envelope.wire.seq <= last) {
				continue;
			}

			let queue = held.get(envelope.agent);
			if (!queue) {
				queue = new Map();
				held.set(envelope.agent, queue);
			}

			queue.set(envelope.wire.seq, envelope);
			for (let next = last + 1; queue.has(next) && !member.done; next++) {
				const message = queue.get(next)!;
				queue.delete(next);
				store.merge(message.wire);
				merged.set(envelope.agent, next);
				const now = Date.now();
				if (member.last) {
					const seconds = (message.sentAt - member.last.sentAt) / 1000;
					member.rate = seconds > 0 ? (message.wire.totals.messages - member.last.wire.totals.messages) / seconds : member.rate;
				}

				member.last = {...message, lifecycle: undefined, heard: undefined, wire: {...message.wire, rows: null, histograms: {connect: null, latency: null, reconnect: null}}};
				member.lagMs = Math.max(0, now - message.sentAt);
				member.seenAt = now;
				if (message.wire.final) {
					member.done = true;
				}

				onMessage(member, message);
			}
		}

		return touched;
	};

	const loop = async () => {
		await ensureGroup().catch(() => undefined);
		while (running) {
			let reply: Array<[string, Entry[]]> | null;
			try {
				reply = await redis.xreadgroup('GROUP', group, 'controller', 'COUNT', 500, 'BLOCK', 100, 'STREAMS', names.metrics, '>') as typeof reply;
			} catch (error) {
				if (!running) {
					break;
				}

				if (error instanceof Error && error.message.includes('NOGROUP')) {
					await ensureGroup().catch(() => undefined);
				} else {
					await new Promise(resolve => {
						setTimeout(resolve, 100);
					});
				}

				continue;
			}

			const entries = reply?.[0]?.[1] ?? [];
			if (entries.length === 0) {
				continue;
			}

			const touched = handle(entries);
			const ids = entries.map(([id]) => id);
			const multi = writer.redis.multi().xack(names.metrics, group, ...ids).xdel(names.metrics, ...ids);
			for (const agent of touched) {
				multi.hset(names.acks, agent, String(merged.get(agent) ?? 0));
			}

			multi.pexpire(names.acks, keyTtlMs).exec().catch(() => undefined);
		}
	};

	const finished = loop();
	return {
		async stop() {
			running = false;
			await finished;
		},
	};
}
