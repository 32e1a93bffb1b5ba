import type {RedisBridge} from './redis-bridge.js';
import type {ReplayStore} from './replay.js';
import type {Slot} from './cluster-slots.js';
import {sumStats, type ServerStats, type WorkerStats} from './stats.js';

/** What only the primary of `serve --workers N` knows: its clock, the broadcasts it produced, its replay and Redis. */
export type PrimaryPart = Pick<ServerStats, 'startedAt' | 'uptimeMs' | 'broadcasts' | 'replay' | 'redis'>;

export function primaryPart({startedAt, broadcasts, replay, redis}: {startedAt: Date; broadcasts: number; replay: ReplayStore; redis: RedisBridge | undefined}): PrimaryPart {
	return {
		startedAt: startedAt.toISOString(),
		uptimeMs: Date.now() - startedAt.getTime(),
		broadcasts,
		replay: {size: replay.size, capacity: replay.capacity, lastId: replay.lastId, resumes: 0, gaps: 0},
		...(redis ? {redis: redis.stats()} : {}),
	};
}

/** The workers' answers summed with the primary's part; the workers that did not answer are counted missing. */
export function clusterStats(primary: PrimaryPart, slots: readonly Slot[], results: ReadonlyMap<number, ServerStats>): ServerStats {
	const parts: WorkerStats[] = [...results].map(([number, stats]) => ({worker: number, pid: slots[number - 1]!.worker?.process.pid ?? 0, stats}));
	return sumStats(primary, parts, slots.length - parts.length);
}

/** Once every worker exited: the final counts each sent before it did. */
export function finalStats(primary: PrimaryPart, slots: readonly Slot[]): ServerStats {
	return clusterStats(primary, slots, new Map(slots.filter(slot => slot.final).map(slot => [slot.number, slot.final!])));
}
