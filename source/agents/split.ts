import {UsageError} from '../errors.js';
import {fileMargin} from '../workers/plan.js';
import type {AgentInfo, Share} from './protocol.js';

/** per process when the agent could not read its limit: what this project measured one process to hold */
const unknownLimitClients = 19_000;

/**
 * How many clients an agent can hold: one worker process per core, each under its open-files
 * limit less the margin the worker plan keeps (source/workers/plan.ts).
 */
export function capacityOf(agent: Pick<AgentInfo, 'cores' | 'fileLimit'>): number {
	const perProcess = agent.fileLimit === null ? unknownLimitClients : Math.max(1, agent.fileLimit - fileMargin);
	return Math.max(1, agent.cores) * perProcess;
}

/**
 * Contiguous segments of the global ids 1..clients, one per agent in name order, sized by
 * capacity (largest remainders, so the shares add up exactly). Refused when the agents cannot
 * hold them all.
 */
export function splitClients(clients: number, agents: ReadonlyArray<Pick<AgentInfo, 'name' | 'cores' | 'fileLimit'>>): Share[] {
	const sorted = [...agents].sort((a, b) => a.name < b.name ? -1 : (a.name > b.name ? 1 : 0));
	const capacities = sorted.map(agent => capacityOf(agent));
	const total = capacities.reduce((sum, capacity) => sum + capacity, 0);
	if (clients > total) {
		throw new UsageError(`--clients ${clients} is more than the ${sorted.length} agents can hold (${total} by their cores and open-files limits): start more agents (--agents), or raise their limits (ulimit -n, more cores)`);
	}

	const exact = capacities.map(capacity => clients * capacity / total);
	const counts = exact.map(value => Math.floor(value));
	let left = clients - counts.reduce((sum, count) => sum + count, 0);
	const order = exact.map((value, index) => ({index, rest: value - Math.floor(value)})).sort((a, b) => b.rest - a.rest || a.index - b.index);
	for (const {index} of order) {
		if (left === 0) {
			break;
		}

		counts[index]!++;
		left--;
	}

	let firstId = 1;
	return sorted.map((agent, index) => {
		const share = {name: agent.name, firstId, count: counts[index]!};
		firstId += share.count;
		return share;
	});
}
