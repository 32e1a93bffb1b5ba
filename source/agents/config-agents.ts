import {UsageError} from '../errors.js';
import {parseRedisUrl} from '../redis-url.js';
import {parseDuration, parseInteger} from '../units.js';
import {namePattern} from './protocol.js';

export type AgentsFlags = {
	agents?: string;
	redis?: string;
	agentsTimeout?: string;
	run?: string;
};

export type AgentsConfig = Readonly<{
	count: number;
	/** credentials included: print it only through redactRedisUrl */
	redisUrl: string;
	/** how long to wait for `count` agents to register */
	timeoutMs: number;
	run: string;
}>;

export const agentsDefaults = {timeout: '2m', run: 'default'} as const;

/** --agents N --redis URL [--agents-timeout D] [--run ID] -> the controller's config, or undefined without --agents. */
export function resolveAgents(flags: AgentsFlags): AgentsConfig | undefined {
	if (flags.agents === undefined) {
		for (const [flag, value] of [['--redis', flags.redis], ['--agents-timeout', flags.agentsTimeout], ['--run', flags.run]] as const) {
			if (value !== undefined) {
				throw new UsageError(`${flag} goes with --agents N (a run spread over load agents): add --agents, or drop ${flag}`);
			}
		}

		return undefined;
	}

	const count = parseInteger(flags.agents, '--agents', 1, 1000);
	if (flags.redis === undefined) {
		throw new UsageError('--agents needs --redis URL, the Redis the agents registered on (sse-tui agent --redis URL), e.g. --redis redis://127.0.0.1:6379');
	}

	const run = flags.run ?? agentsDefaults.run;
	if (!namePattern.test(run)) {
		throw new UsageError(`--run takes 1 to 64 letters, digits, dots, dashes or underscores (got "${run}")`);
	}

	return Object.freeze({
		count,
		redisUrl: parseRedisUrl(flags.redis, '--redis'),
		timeoutMs: parseDuration(flags.agentsTimeout ?? agentsDefaults.timeout, '--agents-timeout'),
		run,
	});
}

/** What a run over agents cannot do: one clear line each. */
export function checkAgentsRun(config: {agents: AgentsConfig | undefined; events: string | undefined; workers: number | undefined}): void {
	if (config.agents === undefined) {
		return;
	}

	if (config.events !== undefined) {
		// The clients' events happen on the agents' hosts; only their merged numbers travel.
		throw new UsageError('--events cannot be used with --agents: the client events stay on the agents\' hosts and only merged numbers reach the controller; drop --events (--json and --report hold the whole run)');
	}

	if (config.workers !== undefined) {
		throw new UsageError('--workers cannot be used with --agents: give each agent its own --workers (sse-tui agent --workers N)');
	}
}
