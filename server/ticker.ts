import {dashboardUpdate} from '../source/payloads.js';
import type {RedisBridge} from './redis-bridge.js';

export type Ticker = {
	readonly redis: RedisBridge | undefined;
	readonly channel: string;
	readonly intervalMs: number;
	readonly startedAt: Date;
	closing(): boolean;
	/** Broadcasts to this server's own subscribers (a lone process, or every worker of a cluster). */
	publishLocal(json: string): void;
};

/**
 * One --interval dashboard update. With Redis the cluster sends one update per interval, not
 * one per instance: each instance's ticker tries to take a lease a little shorter than the
 * interval and only the holder publishes. Without Redis (or while it is away) every instance
 * ticks locally.
 */
export function tick(ticker: Ticker): void {
	const {redis} = ticker;
	const json = JSON.stringify(dashboardUpdate(Date.now() - ticker.startedAt.getTime()));
	if (!redis?.available) {
		ticker.publishLocal(json);
		return;
	}

	const leaseMs = Math.max(1, Math.floor(ticker.intervalMs * 0.8));
	redis
		.lease(`sse-tui:tick:${ticker.channel}`, leaseMs)
		.then(async mine => (mine ? redis.publish(json) : 0))
		.catch(() => {
			if (!ticker.closing()) {
				ticker.publishLocal(json);
			}
		});
}
