import {formatDuration} from '../source/units.js';
import type {ServerContext} from './context.js';
import type {RedisStats} from './redis-stats.js';

type ConnectionCounts = {total: number; current: number; messages: number};

export type ServerStats = {
	startedAt: string;
	uptimeMs: number;
	broadcasts: number;
	sse: ConnectionCounts;
	cable: ConnectionCounts;
	ws: ConnectionCounts;
	/** slowConsumer: too many bytes behind (--max-buffer); stalled: no write progress (--stall-timeout). */
	drops: {slowConsumer: number; stalled: number; deadPeer: number};
	rejected: {origin: number; capacity: number; auth: number; triggerRate: number};
	replay: {size: number; capacity: number; lastId: string; resumes: number; gaps: number};
	cableCommands: {total: number; invalid: number; closed: number};
	clientErrors: number;
	/** Present when the server was started with a Redis URL. */
	redis?: RedisStats;
	/** With `serve --workers N`: each worker that answered, and how many did not. */
	workers?: {answered: Array<{worker: number; pid: number; connections: number}>; missing: number};
};

export function collectStats(context: ServerContext): ServerStats {
	const {broadcaster, counters, replay} = context;
	return {
		startedAt: context.startedAt.toISOString(),
		uptimeMs: Date.now() - context.startedAt.getTime(),
		broadcasts: broadcaster.broadcasts,
		sse: {...broadcaster.counts.sse},
		cable: {...broadcaster.counts.cable},
		ws: {...broadcaster.counts.ws},
		drops: {slowConsumer: broadcaster.drops, stalled: broadcaster.stalls, deadPeer: counters.deadPeers},
		rejected: {origin: counters.rejectedOrigin, capacity: counters.rejectedCapacity, auth: counters.rejectedAuth, triggerRate: counters.triggerLimited},
		replay: {size: replay.size, capacity: replay.capacity, lastId: replay.lastId, resumes: counters.replayResumes, gaps: counters.replayGaps},
		cableCommands: {total: counters.cableCommands, invalid: counters.cableInvalid, closed: counters.cableClosed},
		clientErrors: counters.clientErrors,
		...(context.redis ? {redis: context.redis.stats()} : {}),
	};
}

/**
 * `/dashboard/stats`: the seeds' Go server shape (snake_case; `websocket` was its /cable
 * endpoint, here cable + ws together) with the cable/ws split, drops and replay added.
 */
export function statsDocument(context: ServerContext, stats = collectStats(context)): Record<string, unknown> {
	const websocket = {
		total: stats.cable.total + stats.ws.total,
		current: stats.cable.current + stats.ws.current,
		messages: stats.cable.messages + stats.ws.messages,
	};
	return {
		server: {
			name: 'sse-tui serve',
			status: context.closing ? 'stopping' : 'running',
			uptime: formatDuration(stats.uptimeMs),
			uptime_ms: stats.uptimeMs,
			started: stats.startedAt,
		},
		connections: {sse: stats.sse, websocket, cable: stats.cable, ws: stats.ws, max: context.options.maxConnections},
		// The Go server's field first, so dashboards written for it still parse.
		redis: stats.redis ? redisDocument(stats.redis) : {messages_received: 0},
		broadcasts: stats.broadcasts,
		// slow_consumer counts both rules, as it counted the one before; the two beside it split it.
		drops: {slow_consumer: stats.drops.slowConsumer + stats.drops.stalled, by_bytes: stats.drops.slowConsumer, by_time: stats.drops.stalled, dead_peer: stats.drops.deadPeer},
		rejected: {origin: stats.rejected.origin, capacity: stats.rejected.capacity, auth: stats.rejected.auth, trigger_rate: stats.rejected.triggerRate},
		replay: {size: stats.replay.size, capacity: stats.replay.capacity, last_id: stats.replay.lastId, resumes: stats.replay.resumes, gaps: stats.replay.gaps},
		cable_commands: {total: stats.cableCommands.total, invalid: stats.cableCommands.invalid, sockets_closed: stats.cableCommands.closed},
		client_errors: stats.clientErrors,
		...(stats.workers ? {workers: stats.workers.answered, workers_missing: stats.workers.missing} : {}),
		timestamp: new Date().toISOString(),
	};
}

function redisDocument(redis: RedisStats): Record<string, unknown> {
	return {
		messages_received: redis.messagesReceived,
		state: redis.state,
		since: redis.since,
		url: redis.url,
		channels: redis.channels,
		stream: redis.streamKey ?? null,
		instance: redis.instance,
		published: redis.published,
		publish_failures: redis.publishFailures,
		local_ids: redis.localIds,
		reconnects: redis.reconnects,
		retries: redis.retries,
		last_error: redis.lastError ?? null,
	};
}

/** The few lines printed when `sse-tui serve` stops. */
export function formatFinalStats(stats: ServerStats): string {
	const line = (name: string, counts: ConnectionCounts): string =>
		`  ${name.padEnd(6)} ${counts.total} connections, ${counts.messages} messages`;
	return [
		`Stopped after ${formatDuration(stats.uptimeMs)}: ${stats.broadcasts} broadcasts`,
		line('SSE', stats.sse),
		line('cable', stats.cable),
		line('ws', stats.ws),
		...(stats.redis
			? [`  redis  ${stats.redis.messagesReceived} messages received, ${stats.redis.published} published, ${stats.redis.reconnects} reconnects`]
			: []),
		`  dropped ${stats.drops.slowConsumer} slow consumers (bytes), ${stats.drops.stalled} stalled (time), ${stats.drops.deadPeer} dead peers; rejected ${stats.rejected.capacity} over capacity, ${stats.rejected.origin} bad origins, ${stats.rejected.auth} without the token`,
	].join('\n');
}

/** One worker's part of a cluster's stats. */
export type WorkerStats = {worker: number; pid: number; stats: ServerStats};

/**
 * A cluster's stats: connections, messages, drops, rejections and errors add up over the
 * workers; what the primary alone knows (broadcasts produced, the replay ids, Redis, uptime)
 * comes from `primary`. A worker that did not answer in time is counted in `missing`.
 */
export function sumStats(primary: Pick<ServerStats, 'startedAt' | 'uptimeMs' | 'broadcasts' | 'replay' | 'redis'>, parts: readonly WorkerStats[], missing: number): ServerStats {
	const zero = (): ConnectionCounts => ({total: 0, current: 0, messages: 0});
	const sum: ServerStats = {
		startedAt: primary.startedAt,
		uptimeMs: primary.uptimeMs,
		broadcasts: primary.broadcasts,
		sse: zero(),
		cable: zero(),
		ws: zero(),
		drops: {slowConsumer: 0, stalled: 0, deadPeer: 0},
		rejected: {origin: 0, capacity: 0, auth: 0, triggerRate: 0},
		replay: {...primary.replay, resumes: 0, gaps: 0},
		cableCommands: {total: 0, invalid: 0, closed: 0},
		clientErrors: 0,
		...(primary.redis ? {redis: primary.redis} : {}),
		workers: {answered: [], missing},
	};
	for (const {worker, pid, stats} of parts) {
		for (const protocol of ['sse', 'cable', 'ws'] as const) {
			sum[protocol].total += stats[protocol].total;
			sum[protocol].current += stats[protocol].current;
			sum[protocol].messages += stats[protocol].messages;
		}

		sum.drops.slowConsumer += stats.drops.slowConsumer;
		sum.drops.stalled += stats.drops.stalled;
		sum.drops.deadPeer += stats.drops.deadPeer;
		sum.rejected.origin += stats.rejected.origin;
		sum.rejected.capacity += stats.rejected.capacity;
		sum.rejected.auth += stats.rejected.auth;
		sum.rejected.triggerRate += stats.rejected.triggerRate;
		sum.replay.resumes += stats.replay.resumes;
		sum.replay.gaps += stats.replay.gaps;
		sum.cableCommands.total += stats.cableCommands.total;
		sum.cableCommands.invalid += stats.cableCommands.invalid;
		sum.cableCommands.closed += stats.cableCommands.closed;
		sum.clientErrors += stats.clientErrors;
		sum.workers!.answered.push({worker, pid, connections: stats.sse.current + stats.cable.current + stats.ws.current});
	}

	sum.workers!.answered.sort((a, b) => a.worker - b.worker);
	return sum;
}
