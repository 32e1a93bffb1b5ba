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
	drops: {slowConsumer: number; deadPeer: number};
	rejected: {origin: number; capacity: number};
	replay: {size: number; capacity: number; lastId: string; resumes: number; gaps: number};
	cableCommands: {total: number; invalid: number};
	clientErrors: number;
	/** Present when the server was started with a Redis URL. */
	redis?: RedisStats;
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
		drops: {slowConsumer: broadcaster.drops, deadPeer: counters.deadPeers},
		rejected: {origin: counters.rejectedOrigin, capacity: counters.rejectedCapacity},
		replay: {size: replay.size, capacity: replay.capacity, lastId: replay.lastId, resumes: counters.replayResumes, gaps: counters.replayGaps},
		cableCommands: {total: counters.cableCommands, invalid: counters.cableInvalid},
		clientErrors: counters.clientErrors,
		...(context.redis ? {redis: context.redis.stats()} : {}),
	};
}

/**
 * `/dashboard/stats`: the seeds' Go server shape (snake_case; `websocket` was its /cable
 * endpoint, here cable + ws together) with the cable/ws split, drops and replay added.
 */
export function statsDocument(context: ServerContext): Record<string, unknown> {
	const stats = collectStats(context);
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
		drops: {slow_consumer: stats.drops.slowConsumer, dead_peer: stats.drops.deadPeer},
		rejected: stats.rejected,
		replay: {size: stats.replay.size, capacity: stats.replay.capacity, last_id: stats.replay.lastId, resumes: stats.replay.resumes, gaps: stats.replay.gaps},
		cable_commands: stats.cableCommands,
		client_errors: stats.clientErrors,
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
		`  dropped ${stats.drops.slowConsumer} slow consumers, ${stats.drops.deadPeer} dead peers; rejected ${stats.rejected.capacity} over capacity, ${stats.rejected.origin} bad origins`,
	].join('\n');
}
