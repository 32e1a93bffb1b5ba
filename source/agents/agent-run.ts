import os from 'node:os';
import type {Config} from '../config.js';
import {createClientFactory, openTransport, type ClientFactory} from '../engine/client-factory.js';
import {createPool, type Pool} from '../engine/pool.js';
import type {ClientSink} from '../engine/types.js';
import {MetricsStore} from '../metrics/store.js';
import {clientStoreOptions} from '../metrics/store-options.js';
import {WireProducer} from '../metrics/wire.js';
import {buildSummary, type StopReason, type Summary} from '../reporters/summary.js';
import {createWorkerGroup, type WorkerGroup} from '../workers/group.js';
import {feedFor, LifecycleForwarder} from '../workers/lifecycle.js';
import {openFileLimit, planWorkers} from '../workers/plan.js';
import {keys, maxRowsPerMessage, tickMs, type Command, type Envelope, type Plan, type Share} from './protocol.js';
import type {Connection} from './redis.js';
import {createAgentTally, createTallyOfRemotes} from './broadcast-agents.js';

export type ShareOptions = {
	plan: Plan;
	share: Share;
	run: string;
	connection: Connection;
	/** a second connection for the blocking reads of the command stream */
	commands: Connection;
	/** --local-address of the agent: beats the controller's */
	localAddresses: readonly string[] | undefined;
	workers: number | undefined;
	log(level: 'error' | 'warn' | 'info', text: string): void;
	/** the highest sequence the controller acknowledged (the agent's lease loop reads it) */
	acked(): number;
	/** resolves when the controller's lease is lost, or the agent is told to stop (Ctrl-C) */
	lost: Promise<StopReason>;
};

/** an ack lagging this long sends the unacknowledged messages again */
const resendAfterMs = 3000;
/** after its final message, how long an agent waits for the controller to acknowledge it */
const finalAckMs = 10_000;

/** The config this agent runs: its share of the controller's, with what only the controller does left out. */
export function shareConfig(plan: Plan, share: Share, options: Pick<ShareOptions, 'localAddresses' | 'workers'>): Config {
	const config = plan.config;
	return Object.freeze({
		...config,
		clients: share.count,
		tui: false,
		json: false,
		events: undefined,
		report: undefined,
		thresholds: [],
		abortOnFail: false,
		watch: undefined,
		stats: false,
		durationMs: undefined,
		// Each agent starts its share at N times the interval: together they keep the run's ramp.
		startIntervalMs: config.startIntervalMs * plan.shares.length,
		workers: options.workers,
		shape: Object.freeze({...config.shape, localAddresses: options.localAddresses ?? config.shape.localAddresses}),
	});
}

/**
 * Runs one agent's share of a plan: its clients (in this process, or its own worker processes
 * past one process's open-files limit), a wire message every tick onto the metrics stream, the
 * controller's commands from the command stream. Resolves with this agent's own summary, built
 * from the very messages it sent (a second store merges them), once its clients are closed and
 * the controller has its final message.
 */
export async function runShare(options: ShareOptions): Promise<{summary: Summary; stoppedBy: StopReason}> {
	const {plan, share, run, connection, log} = options;
	const names = keys(run);
	const config = shareConfig(plan, share, options);
	// A stage line starts at 0 clients and adds as it rises: plan the processes for this agent's part of the peak.
	const planned = Math.max(1, share.count, config.shape.stages ? Math.ceil(plan.config.clients / plan.shares.length) : 0);
	const {workers} = planWorkers({...config, clients: planned}, {limit: openFileLimit(), cores: os.availableParallelism()});
	// --proxy, --http2, --compressed: this process's transport, or each worker's own (their counts in their messages).
	const transport = workers === 1 ? await openTransport(config) : undefined;
	const clock = {now: () => performance.timeOrigin + performance.now(), startedAt: plan.epochStart};
	const store: MetricsStore = new MetricsStore({...clientStoreOptions(config, transport, () => store.mergedTransport()), ...clock});
	// The agent's own summary, from the messages it sent: their request streams and transport counts too.
	const mirror: MetricsStore = new MetricsStore({...clientStoreOptions(config, undefined, () => mirror.mergedTransport()), ...clock});
	let globalIds = new Float64Array(share.count + 1);
	let allocated = 0;
	const allocate = (count: number, firstId: number) => {
		if (allocated + count + 1 > globalIds.length) {
			const grown = new Float64Array(Math.max(globalIds.length * 2, allocated + count + 1));
			grown.set(globalIds);
			globalIds = grown;
		}

		for (let index = 0; index < count; index++) {
			globalIds[++allocated] = firstId + index;
		}
	};

	const producer = new WireProducer(store, {source: share.name, rowsEvery: 4, maxRows: maxRowsPerMessage, globalId: local => globalIds[local]!});
	let finished = false;
	let endShare: (reason: StopReason) => void = () => undefined;
	const ended = new Promise<StopReason>(resolve => {
		endShare = reason => {
			endShare = () => undefined;
			resolve(reason);
		};
	});
	const notes = new Set<string>();
	// A shaped run: the controller's shape driver needs every client's life (as from worker processes).
	const feed = feedFor(config);
	const epochNow = () => performance.timeOrigin + performance.now();
	const lifecycle = feed === 'none' ? undefined : new LifecycleForwarder(feed, workers === 1 ? local => globalIds[local]! : id => id, epochNow);
	let factory: ClientFactory | undefined;
	let group: WorkerGroup | undefined;
	let pool: Pool;
	if (workers === 1) {
		const sink: ClientSink = {
			emit(event) {
				store.emit(event);
				lifecycle?.observe(event);
			},
			bytes(client, count) {
				store.bytes(client, count);
			},
			note(text) {
				if (!notes.has(text)) {
					notes.add(text);
					log('warn', text);
				}
			},
		};
		factory = createClientFactory(config, sink, transport);
		pool = createPool({startIntervalMs: config.startIntervalMs, createClient: factory.create, onAllFinished: () => {
			finished = true;
		}});
	} else {
		pool = group = createWorkerGroup({config, workers, store, log, onAllFinished: () => {
			finished = true;
		}, shapes: lifecycle && feed !== 'none' ? {
			feed,
			// The workers' events arrive with global ids and times in the store's elapsed ms.
			observe(event, now) {
				lifecycle.observe(event, now + plan.epochStart);
			},
			heard(ids, heartbeats) {
				lifecycle.heardMany(ids, heartbeats);
			},
		} : undefined});
	}

	// The broadcast scenario: this agent tallies its clients, or adds up its workers' tallies into
	// one; the controller publishes and says when.
	const tally = config.broadcast && (group ? createTallyOfRemotes(config.broadcast.count, group.broadcast) : createAgentTally(config.broadcast, share.count, store));

	// Sending: every message is kept until the controller acknowledges it, and sent again after a
	// Redis reconnect or when the acknowledgement lags (a restarted Redis lost it).
	const pending: Array<{seq: number; body: string; sentAt: number}> = [];
	let readyCount = connection.readyCount;
	let commandsHandled = 0;
	let lastCommand = 0;
	let cpu = process.cpuUsage();
	let cpuAt = performance.now();
	const send = (final: boolean) => {
		// The partial-event budget travels as a worker's does: one process's own, or its workers' summed.
		const buffered = factory?.buffered() ?? store.mergedBuffered();
		const wire = {...producer.next({active: pool.size, final}), ...(buffered ? {buffered} : {})};
		mirror.merge(wire);
		const usage = process.cpuUsage(cpu);
		const now = performance.now();
		const envelope: Envelope = {
			plan: plan.id, agent: share.name, wire, sentAt: Date.now(), commands: commandsHandled,
			cpu: Math.round((usage.user + usage.system) / 10 / Math.max(1, now - cpuAt)), rss: group?.rss() ?? process.memoryUsage.rss(), finished,
			broadcast: tally?.state(final || wire.rows !== null),
		};
		const records = lifecycle?.takeRecords() ?? [];
		if (records.length > 0) {
			envelope.lifecycle = records;
		}

		if (feed === 'hold') {
			envelope.heard = {...lifecycle!.takeHeard(), at: epochNow()};
		}

		cpu = process.cpuUsage();
		cpuAt = now;
		const body = JSON.stringify(envelope);
		pending.push({seq: wire.seq, body, sentAt: Date.now()});
		connection.redis.xadd(names.metrics, '*', 'm', body).catch(() => undefined);
	};

	const flush = () => {
		const acked = options.acked();
		while (pending.length > 0 && pending[0]!.seq <= acked) {
			pending.shift();
		}

		const oldest = pending[0];
		const reconnected = connection.readyCount !== readyCount && connection.up;
		if (oldest && (reconnected || Date.now() - oldest.sentAt > resendAfterMs)) {
			readyCount = connection.readyCount;
			for (const message of pending) {
				message.sentAt = Date.now();
				connection.redis.xadd(names.metrics, '*', 'm', message.body).catch(() => undefined);
			}
		}
	};

	void readCommands(options, names.commands, async command => {
		if (command.plan !== plan.id) {
			return;
		}

		if (command.type === 'stop') {
			endShare('signal');
		} else if (command.type === 'drop') {
			pool.dropAll();
		} else if (command.type === 'published') {
			tally?.published(command.seq, command.at);
		} else if (command.agent === share.name && command.command > lastCommand) {
			// Numbered across all agents; the controller counts the ones it sent to each.
			lastCommand = command.command;
			commandsHandled++;
			if (command.type === 'add') {
				allocate(command.count, command.firstId);
				pool.add(command.count);
			} else if (command.type === 'remove-oldest') {
				await pool.removeOldest(command.count);
			} else {
				await pool.remove(command.count);
			}
		}
	});
	void options.lost.then(reason => {
		endShare(reason);
	});

	const delay = Math.max(0, Math.min(plan.startAt - Date.now(), 30_000));
	log('info', `run ${plan.id}: clients ${share.firstId}-${share.firstId + share.count - 1} (${share.count}) in ${workers} process${workers === 1 ? '' : 'es'}, starting in ${(delay / 1000).toFixed(1)} s`);
	const startTimer = setTimeout(() => {
		allocate(share.count, share.firstId);
		pool.add(share.count);
	}, delay);
	const timer = setInterval(() => {
		flush();
		send(false);
	}, tickMs);
	const startedAt = new Date(plan.startAt);
	const stoppedBy = await ended;
	clearTimeout(startTimer);
	clearInterval(timer);
	log('info', `stopping (${stoppedBy === 'signal' ? 'the controller ended the run' : stoppedBy}): closing ${pool.size} clients`);
	await pool.stop();
	await factory?.close();
	flush();
	send(true);
	const finalSeq = pending.at(-1)?.seq ?? 0;
	const deadline = Date.now() + finalAckMs;
	let acked = options.acked();
	while (stoppedBy !== 'error' && acked < finalSeq && Date.now() < deadline) {
		await new Promise(resolve => {
			setTimeout(resolve, tickMs);
		});
		flush();
		// Asked directly (the lease loop reads it once a second): the controller waits for this agent.
		const reply = await connection.redis.hget(names.acks, share.name).catch(() => null);
		acked = Math.max(options.acked(), Number(reply ?? 0) || 0);
	}

	options.commands.close();
	return {summary: buildSummary(mirror.snapshot(), config, {startedAt, stoppedBy, buffered: mirror.mergedBuffered()}), stoppedBy};
}

/** Follows the command stream from its start (every agent reads every command) until the connection closes. */
async function readCommands(options: Pick<ShareOptions, 'commands'>, stream: string, handle: (command: Command) => Promise<void>): Promise<void> {
	const {redis} = options.commands;
	let lastId = '0';
	while (redis.status !== 'end') {
		let reply: Array<[string, Array<[string, string[]]>]> | null;
		try {
			reply = await redis.xread('COUNT', 100, 'BLOCK', 1000, 'STREAMS', stream, lastId) as typeof reply;
		} catch {
			await new Promise(resolve => {
				setTimeout(resolve, 200);
			});
			continue;
		}

		for (const [id, fields] of reply?.[0]?.[1] ?? []) {
			lastId = id;
			try {
				await handle(JSON.parse(fields[1] ?? 'null') as Command);
			} catch {
				// a command this version cannot read: the version check keeps these apart
			}
		}
	}
}
