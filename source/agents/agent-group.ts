import {randomBytes} from 'node:crypto';
import type {Config} from '../config.js';
import type {Pool} from '../engine/pool.js';
import type {MetricsStore} from '../metrics/store.js';
import {redactRedisUrl} from '../redis-url.js';
import {lostMessage} from '../workers/lost.js';
import type {AgentsConfig} from './config-agents.js';
import {waitForAgents} from './controller-wait.js';
import {readMetrics} from './metrics-reader.js';
import {agentProtocolVersion, keys, keyTtlMs, leaseMs, lostAfterMs, refreshMs, type AgentInfo, type Command, type ControllerInfo, type Envelope, type Plan} from './protocol.js';
import {connect, firstReady} from './redis.js';
import {splitClients} from './split.js';
import {agentRow, type AgentRow, type AgentsSummary} from './table.js';
import type {AgentBroadcastState, AgentBroadcastView} from './broadcast-agents.js';

export type AgentMember = {
	info: AgentInfo;
	ranges: Array<[first: number, count: number]>;
	size: number;
	commandsSent: number;
	last: Envelope | undefined;
	/** messages/s between its last two messages */
	rate: number;
	lagMs: number | null;
	seenAt: number;
	finished: boolean;
	done: boolean;
	lost: boolean;
	/** the broadcast scenario: its tally, as last reported (the full part from the last message that had it) */
	broadcast: AgentBroadcastState;
};

export type AgentGroup = {
	pool: Pool;
	/** the agents start their clients this long after the first add: --duration counts from then */
	startDelayMs: number;
	rows(): AgentRow[];
	broadcast: AgentBroadcastView;
	summary(): AgentsSummary;
	close(): Promise<void>;
};

/** a controller's start signal lies this far ahead, so every agent has read the plan before it */
const startDelayMs = 1500;
const stopTimeoutMs = 60_000;

/**
 * The controller's side of a run over agents (--agents N --redis URL): waits for the agents,
 * splits the clients by capacity, publishes the plan and one start instant, merges every
 * agent's wire messages into the one store, and is a Pool to run.ts (add/remove become
 * commands on the stream). Undefined when stopped while waiting.
 */
export async function createAgentGroup({config, agents: options, store, version, stop, log, onAllFinished}: {
	config: Config;
	agents: AgentsConfig;
	store: MetricsStore;
	version: string;
	stop: AbortSignal;
	log(level: 'error' | 'warn' | 'info', text: string): void;
	onAllFinished(): void;
}): Promise<AgentGroup | undefined> {
	const names = keys(options.run);
	const url = options.redisUrl;
	const lease: ControllerInfo = {version, protocol: agentProtocolVersion, plan: null};
	let plan: Plan | undefined;
	let readyCount = 0;
	const connection = connect(url, text => {
		log('warn', text);
	}, {onReady() {
		// A restarted Redis lost every key: the lease and the plan go back at once.
		void refresh();
	}});
	const reader = connect(url, () => undefined);
	const members = new Map<string, AgentMember>();
	const refresh = async () => {
		const redis = connection.redis;
		const multi = redis.multi().set(names.controller, JSON.stringify(lease), 'PX', leaseMs);
		if (plan) {
			multi.set(names.plan, JSON.stringify(plan), 'PX', keyTtlMs);
		}

		const participants = [...members.keys()];
		for (const name of participants) {
			multi.exists(names.agent(name));
		}

		const replies = await multi.exec();
		const now = Date.now();
		if (connection.readyCount !== readyCount) {
			// While Redis was away nobody could refresh a lease: nobody is lost for that.
			readyCount = connection.readyCount;
			for (const member of members.values()) {
				member.seenAt = now;
			}
		}

		for (const [index, name] of participants.entries()) {
			const member = members.get(name)!;
			if (replies?.[index + (plan ? 2 : 1)]?.[1] === 1) {
				member.seenAt = now;
			} else if (!member.done && now - member.seenAt > lostAfterMs) {
				lose(member, `has neither renewed its lease nor sent metrics for ${lostAfterMs / 1000} s`);
			}
		}
	};

	const timer = setInterval(() => {
		if (connection.up) {
			refresh().catch(() => undefined);
		}
	}, refreshMs);
	const cleanup = async () => {
		clearInterval(timer);
		reader.close();
		if (connection.up) {
			await connection.redis.del(names.controller, names.plan, names.commands, names.metrics, names.acks).catch(() => undefined);
		}

		connection.close();
	};

	let joined: AgentInfo[] | undefined;
	try {
		await firstReady(connection, url, 30_000);
		await refresh();
		joined = await waitForAgents({redis: connection.redis, pattern: names.agentPattern, count: options.count, version, timeoutMs: options.timeoutMs, redisUrl: url, run: options.run, stop, log});
	} catch (error) {
		await cleanup();
		throw error;
	}

	if (joined === undefined) {
		await cleanup();
		return undefined;
	}

	for (const info of joined) {
		members.set(info.name, {info, ranges: [], size: 0, commandsSent: 0, last: undefined, rate: 0, lagMs: null, seenAt: Date.now(), finished: false, done: false, lost: false, broadcast: {subscribed: 0, published: 0, owed: 0}});
	}

	log('info', `${joined.length} agents: ${joined.map(agent => `${agent.name} (${agent.host}, ${agent.cores} cores)`).join(', ')}`);
	let stopping = false;
	let nextId = 1;
	let command = 0;
	const planId = randomBytes(6).toString('hex');
	const done = new Promise<void>(resolve => {
		const check = setInterval(() => {
			if ([...members.values()].every(member => member.done)) {
				clearInterval(check);
				resolve();
			}
		}, 100);
	});

	function checkFinished(): void {
		if (!stopping && [...members.values()].every(member => member.finished || member.done || member.ranges.length === 0)) {
			onAllFinished();
		}
	}

	function lose(member: AgentMember, why: string): void {
		member.done = true;
		member.lost = true;
		member.size = 0;
		const total = member.ranges.reduce((sum, [, n]) => sum + n, 0);
		log('error', `agent ${member.info.name} (${member.info.host}) ${why}: marked lost, its ${total} clients are counted as failed; the run goes on`);
		if (member.ranges.length > 0) {
			store.merge(lostMessage(store, member.info.name, member.ranges, 'agent lost'));
		}

		checkFinished();
	}

	function send(message: Command): void {
		connection.redis.multi().xadd(names.commands, '*', 'c', JSON.stringify(message)).pexpire(names.commands, keyTtlMs).exec().catch(() => undefined);
	}

	const merging = readMetrics({
		connection: reader,
		writer: connection,
		names,
		plan: () => planId,
		members,
		store,
		onMessage(member, envelope) {
			if (envelope.commands === member.commandsSent) {
				member.size = envelope.wire.active;
			}

			if (envelope.broadcast) {
				member.broadcast = envelope.broadcast.result ? {...envelope.broadcast, fullAt: Date.now()} : {...member.broadcast, ...envelope.broadcast};
			}

			if (envelope.finished && !member.finished) {
				member.finished = true;
				checkFinished();
			}
		},
	});

	function addTo(member: AgentMember, n: number): void {
		member.ranges.push([nextId, n]);
		member.size += n;
		member.finished = false;
		member.commandsSent++;
		send({type: 'add', plan: planId, agent: member.info.name, count: n, firstId: nextId, command: ++command});
		nextId += n;
	}

	const live = () => [...members.values()].filter(member => !member.done);
	const pool: Pool = {
		async removeOldest() {
			throw new Error('removeOldest is not available with agents');
		},
		forEach() {
			throw new Error('forEach is not available with agents');
		},
		// The storm is refused with agents (config-agents.ts).
		dropAll() {
			throw new Error('dropAll is not available with agents');
		},
		add(n) {
			if (stopping || n <= 0) {
				return;
			}

			if (plan === undefined) {
				const shares = splitClients(n, joined);
				for (const share of shares) {
					const member = members.get(share.name)!;
					member.ranges.push([share.firstId, share.count]);
					member.size = share.count;
				}

				nextId = n + 1;
				const epochStart = performance.timeOrigin + performance.now() - store.elapsed();
				plan = {id: planId, version, protocol: agentProtocolVersion, config, shares, startAt: Date.now() + startDelayMs, epochStart};
				lease.plan = planId;
				void refresh().catch(() => undefined);
				return;
			}

			const target = live().sort((a, b) => a.size - b.size)[0];
			if (target) {
				addTo(target, n);
			}
		},
		async remove(n) {
			let left = n;
			while (left > 0) {
				const target = live().filter(member => member.size > 0).sort((a, b) => b.size - a.size)[0];
				if (!target) {
					break;
				}

				const take = Math.min(left, target.size);
				left -= take;
				target.size -= take;
				target.commandsSent++;
				send({type: 'remove', plan: planId, agent: target.info.name, count: take, command: ++command});
			}
		},
		async stop() {
			stopping = true;
			send({type: 'stop', plan: planId});
			const timeout = setTimeout(() => {
				for (const member of live()) {
					lose(member, `sent no final metrics within ${stopTimeoutMs / 1000} s of the stop`);
				}
			}, stopTimeoutMs);
			await done;
			clearTimeout(timeout);
		},
		get size() {
			return live().reduce((sum, member) => sum + member.size, 0);
		},
	};

	return {
		pool,
		startDelayMs,
		broadcast: {
			live: () => live().map(member => member.broadcast),
			all: () => [...members.values()].map(member => member.broadcast),
			published(seq, at) {
				send({type: 'published', plan: planId, seq, at});
			},
		},
		rows: () => [...members.values()].map(member => agentRow(member)),
		summary: () => {
			const rows = [...members.values()].map(member => agentRow(member));
			return {redis: redactRedisUrl(url), run: options.run, count: rows.length, lost: rows.filter(row => row.state === 'lost').length, list: rows};
		},
		async close() {
			await merging.stop();
			// The agents read their final acknowledgement once a second: give them that before the keys go.
			const deadline = Date.now() + 3000;
			while (connection.up && Date.now() < deadline && (await connection.redis.exists(...[...members.keys()].map(name => names.agent(name))).catch(() => 0)) > 0) {
				await new Promise(resolve => {
					setTimeout(resolve, 200);
				});
			}

			await cleanup();
		},
	};
}
