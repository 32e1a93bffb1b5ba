import {randomBytes} from 'node:crypto';
import type {Config} from '../config.js';
import type {Pool} from '../engine/pool.js';
import type {MetricsStore} from '../metrics/store.js';
import {redactRedisUrl} from '../redis-url.js';
import {lostMessage} from '../workers/lost.js';
import type {AgentsConfig} from './config-agents.js';
import {waitForAgents} from './controller-wait.js';
import {readMetrics} from './metrics-reader.js';
import {heardFlushMs, shapeEventOf, type ShapeFeedTarget} from '../workers/lifecycle.js';
import {metricsIntervalMs} from '../workers/protocol.js';
import {keepLeases} from './controller-lease.js';
import {agentProtocolVersion, keys, keyTtlMs, tickMs, type AgentInfo, type Command, type ControllerInfo, type Envelope, type Plan} from './protocol.js';
import {connect, firstReady} from './redis.js';
import {inTurn, rebalance, splitClients} from './split.js';
import {agentRow, type AgentRow, type AgentsSummary} from './table.js';
import type {AgentBroadcastState, AgentBroadcastView} from './broadcast-agents.js';
import {nextTallyState} from '../broadcast-remote.js';

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
	/** RSS of its first message, before its clients started (the hold's memory baseline) */
	baselineRss?: number;
};

export type AgentGroup = {
	pool: Pool;
	/** the agents start their clients this long after the first add: --duration counts from then */
	startDelayMs: number;
	/** how late the hold's `heard` may come: an agent's worker batches it, the agent sends it on its tick */
	heardLagMs: number;
	rows(): AgentRow[];
	broadcast: AgentBroadcastView;
	summary(): AgentsSummary;
	/** Resolves once every live agent's messages from after this call are merged (at most 2 s): the shape's summary then counts what happened up to the end. */
	settle(): Promise<void>;
	/** Publish the plan now if no client was added yet (a stage line starts at 0): every agent starts at one instant. */
	begin(): void;
	/** RSS of every agent, as last reported, and the same before their clients (the hold's memory per connection) */
	rss(): number;
	baselineRss(): number;
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
export async function createAgentGroup({config, agents: options, store, version, stop, log, onAllFinished, shapes}: {
	config: Config;
	agents: AgentsConfig;
	store: MetricsStore;
	version: string;
	stop: AbortSignal;
	log(level: 'error' | 'warn' | 'info', text: string): void;
	onAllFinished(): void;
	/** the load shapes' driver, fed every agent's client lives (times in the store's elapsed ms) */
	shapes?: ShapeFeedTarget;
}): Promise<AgentGroup | undefined> {
	const names = keys(options.run);
	const url = options.redisUrl;
	const lease: ControllerInfo = {version, protocol: agentProtocolVersion, plan: null};
	let plan: Plan | undefined;
	const members = new Map<string, AgentMember>();
	const leases = keepLeases({url, names, lease, plan: () => plan, members, log, lose(member, why) {
		lose(member, why);
	}});
	const {connection, refresh} = leases;
	const reader = connect(url, () => undefined);
	const cleanup = async () => {
		await leases.stop();
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
		if (joined !== undefined) {
			// Refused before anything starts: more clients (a stage line's peak) than the agents hold.
			splitClients(config.clients, joined);
		}
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
				member.broadcast = nextTallyState(member.broadcast, envelope.broadcast);
			}

			member.baselineRss ??= envelope.rss;
			for (const record of envelope.lifecycle ?? []) {
				shapes?.observe(shapeEventOf(record), record[2] - plan!.epochStart);
			}

			if (envelope.heard) {
				shapes?.heard(envelope.heard.ids, envelope.heard.heartbeats, envelope.heard.at - plan!.epochStart);
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
	/** add / remove / remove-oldest mid-run: every agent toward its capacity's part (split.ts) */
	let turn = 0;
	function spread(n: number, type: 'add' | 'remove' | 'remove-oldest'): void {
		const sizes = live().map(member => ({...member.info, size: member.size}));
		// Churn closes the oldest clients of each agent in turn (the add that follows refills the same ones).
		const moves = type === 'remove-oldest' ? inTurn(n, sizes, turn++) : rebalance(n, sizes, type === 'add' ? 'add' : 'remove');
		for (const {name, count} of moves) {
			const member = members.get(name)!;
			if (type === 'add') {
				addTo(member, count);
			} else {
				member.size -= count;
				member.commandsSent++;
				send({type, plan: planId, agent: name, count, command: ++command});
			}
		}
	}

	function publish(n: number): void {
		const shares = splitClients(n, joined!);
		for (const share of shares) {
			const member = members.get(share.name)!;
			if (share.count > 0) {
				member.ranges.push([share.firstId, share.count]);
			}

			member.size = share.count;
		}

		nextId = n + 1;
		const epochStart = performance.timeOrigin + performance.now() - store.elapsed();
		plan = {id: planId, version, protocol: agentProtocolVersion, config, shares, startAt: Date.now() + startDelayMs, epochStart};
		lease.plan = planId;
		leases.leaseChanged();
	}

	const pool: Pool = {
		async removeOldest(n) {
			spread(n, 'remove-oldest');
		},
		forEach() {
			throw new Error('forEach is not available with agents');
		},
		dropAll() {
			send({type: 'drop', plan: planId});
		},
		add(n) {
			if (stopping || n <= 0) {
				return;
			}

			if (plan === undefined) {
				publish(n);
			} else {
				spread(n, 'add');
			}
		},
		async remove(n) {
			spread(n, 'remove');
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
		heardLagMs: heardFlushMs + metricsIntervalMs + (2 * tickMs),
		broadcast: {
			live: () => live().map(member => member.broadcast),
			all: () => [...members.values()].map(member => member.broadcast),
			published(seq, at) {
				send({type: 'published', plan: planId, seq, at});
			},
		},
		async settle() {
			// Two ticks more than merged now: the second was sent after this call (Redis takes less than a tick).
			const wanted = new Map(live().map(member => [member, (member.last?.wire.seq ?? 0) + 2]));
			const deadline = Date.now() + 2000;
			while (Date.now() < deadline && [...wanted].some(([member, seq]) => !member.done && (member.last?.wire.seq ?? 0) < seq)) {
				await new Promise(resolve => {
					setTimeout(resolve, 50);
				});
			}
		},
		begin() {
			if (plan === undefined && !stopping) {
				publish(0);
			}
		},
		rss: () => live().reduce((sum, member) => sum + (member.last?.rss ?? 0), 0),
		baselineRss: () => live().reduce((sum, member) => sum + (member.baselineRss ?? 0), 0),
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
