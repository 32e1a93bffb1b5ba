import type {Redis} from 'ioredis';
import {RunError} from '../errors.js';
import {redactRedisUrl} from '../redis-url.js';
import {formatDuration} from './format.js';
import {agentProtocolVersion, type AgentInfo} from './protocol.js';

export type WaitOptions = {
	redis: Redis;
	pattern: string;
	count: number;
	version: string;
	timeoutMs: number;
	redisUrl: string;
	run: string;
	stop: AbortSignal;
	log(level: 'error' | 'warn' | 'info', text: string): void;
};

/** Every registered agent of the run (SCAN + MGET of the lease keys). */
export async function registeredAgents(redis: Redis, pattern: string): Promise<AgentInfo[]> {
	const found: string[] = [];
	let cursor = '0';
	do {
		const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
		cursor = next;
		found.push(...batch);
	} while (cursor !== '0');

	if (found.length === 0) {
		return [];
	}

	const values = await redis.mget(...found);
	return values.flatMap(value => {
		try {
			return value ? [JSON.parse(value) as AgentInfo] : [];
		} catch {
			return [];
		}
	});
}

/**
 * Waits until `count` idle agents of this version are registered; the first `count` by name
 * take part. Agents of another version are named once and left out. Fails with one line after
 * the timeout, or undefined when the run was stopped (Ctrl-C) while waiting.
 */
export async function waitForAgents({redis, pattern, count, version, timeoutMs, redisUrl, run, stop, log}: WaitOptions): Promise<AgentInfo[] | undefined> {
	const deadline = Date.now() + timeoutMs;
	const refused = new Set<string>();
	let shown = -1;
	while (!stop.aborted) {
		const all = await registeredAgents(redis, pattern).catch(() => []);
		const ready = all.filter(agent => {
			if (agent.version !== version || agent.protocol !== agentProtocolVersion) {
				if (!refused.has(agent.name)) {
					refused.add(agent.name);
					log('error', `agent ${agent.name} on ${agent.host} runs sse-tui ${agent.version}, this controller ${version}: left out; run the same sse-tui version everywhere`);
				}

				return false;
			}

			return agent.running === null;
		}).sort((a, b) => a.name < b.name ? -1 : (a.name > b.name ? 1 : 0));
		if (ready.length >= count) {
			return ready.slice(0, count);
		}

		if (ready.length !== shown) {
			shown = ready.length;
			log('info', `waiting for agents on ${redactRedisUrl(redisUrl)} (run "${run}"): ${ready.length} of ${count} registered`);
		}

		if (Date.now() > deadline) {
			throw new RunError(`only ${ready.length} of ${count} agents registered on ${redactRedisUrl(redisUrl)} for run "${run}" within ${formatDuration(timeoutMs)}: start more with "sse-tui agent --redis URL --run ${run}", lower --agents, or raise --agents-timeout`);
		}

		await new Promise(resolve => {
			setTimeout(resolve, 250);
		});
	}

	return undefined;
}
