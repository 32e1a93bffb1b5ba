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
	const sorted = byName(agents);
	const capacities = sorted.map(agent => capacityOf(agent));
	const total = capacities.reduce((sum, capacity) => sum + capacity, 0);
	if (clients > total) {
		throw new UsageError(`--clients ${clients} is more than the ${sorted.length} agents can hold (${total} by their cores and open-files limits): start more agents (--agents), or raise their limits (ulimit -n, more cores)`);
	}

	const counts = weighted(clients, capacities);
	let firstId = 1;
	return sorted.map((agent, index) => {
		const share = {name: agent.name, firstId, count: counts[index]!};
		firstId += share.count;
		return share;
	});
}

function byName<T extends {name: string}>(agents: readonly T[]): T[] {
	return [...agents].sort((a, b) => a.name < b.name ? -1 : (a.name > b.name ? 1 : 0));
}

/** `clients` in whole parts proportional to `weights` (largest remainders, so they add up exactly). */
function weighted(clients: number, weights: number[]): number[] {
	const total = weights.reduce((sum, weight) => sum + weight, 0);
	const exact = weights.map(weight => clients * weight / total);
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

	return counts;
}

/**
 * Clients added (or removed) mid-run, as the load shapes and the dashboard's +/- ask: each agent
 * moves toward its capacity's part of the new total, so a stage line or a churn keeps the split
 * of the start. Returns how many each agent (by name) gains or loses; agents left out get none.
 */
export function rebalance(n: number, agents: ReadonlyArray<Pick<AgentInfo, 'name' | 'cores' | 'fileLimit'> & {size: number}>, direction: 'add' | 'remove'): Array<{name: string; count: number}> {
	const sorted = byName(agents);
	const now = sorted.reduce((sum, agent) => sum + agent.size, 0);
	const target = direction === 'add' ? now + n : Math.max(0, now - n);
	const desired = sorted.length === 0 ? [] : weighted(target, sorted.map(agent => capacityOf(agent)));
	let left = direction === 'add' ? n : Math.min(n, now);
	const moves: Array<{name: string; count: number}> = [];
	for (const [index, agent] of sorted.entries()) {
		const room = direction === 'add' ? desired[index]! - agent.size : agent.size - desired[index]!;
		const count = Math.min(left, Math.max(0, room));
		if (count > 0) {
			moves.push({name: agent.name, count});
			left -= count;
		}
	}

	return moves;
}

/** `n` clients taken one at a time from each agent in turn (by name, from the `start`-th), skipping empty ones. */
export function inTurn(n: number, agents: ReadonlyArray<{name: string; size: number}>, start: number): Array<{name: string; count: number}> {
	const sorted = byName(agents);
	const left = sorted.map(agent => agent.size);
	const counts = sorted.map(() => 0);
	let remaining = Math.min(n, left.reduce((sum, size) => sum + size, 0));
	for (let index = start; remaining > 0; index++) {
		const at = index % sorted.length;
		if (left[at]! > 0) {
			left[at]!--;
			counts[at]!++;
			remaining--;
		}
	}

	return sorted.map((agent, index) => ({name: agent.name, count: counts[index]!})).filter(move => move.count > 0);
}
