import assert from 'node:assert/strict';
import type {Summary} from '../../source/reporters/summary.js';
import {cliPath, startCommand, type Running} from '../helpers/cli.js';

/** No proxy from the environment: a test that wants one says --proxy. */
export const noProxyEnv = {http_proxy: '', https_proxy: '', HTTPS_PROXY: '', ALL_PROXY: '', all_proxy: '', NO_PROXY: '', no_proxy: ''};
export const env = {SSE_URL: '', SSE_CLIENTS: '', LOG_LEVEL: '', NO_COLOR: '1', REDIS_URL: '', ...noProxyEnv};

/** `sse-tui agent` processes a1..aN, each on its own source address 127.0.0.(i+1); `args`: agent i's own flags (--workers). */
export function startAgents(redisUrl: string, count: number, run: string, timeoutMs = 60_000, args: (index: number) => string[] = () => []): Running[] {
	return Array.from({length: count}, (_, index) => startCommand(cliPath, ['agent', '--redis', redisUrl, '--name', `a${index + 1}`, '--run', run, '--local-address', `127.0.0.${index + 2}`, '--json', ...args(index)], {env, timeoutMs}));
}

export function startController(redisUrl: string, run: string, args: string[], timeoutMs = 60_000, agents = 3): Running {
	return startCommand(cliPath, [...args, '--agents', String(agents), '--redis', redisUrl, '--run', run, '--no-tui', '--json'], {env, timeoutMs});
}

export type AgentReport = {agent: string; run: string; plan: string; summary: Summary};

export function agentReport(running: Running): AgentReport {
	const line = running.stdout().trim().split('\n').at(-1);
	assert.ok(line, `the agent printed its summary; stderr: ${running.stderr()}`);
	return JSON.parse(line) as AgentReport;
}

export function controllerSummary(running: Running): Summary {
	try {
		return JSON.parse(running.stdout()) as Summary;
	} catch {
		throw new Error(`the controller printed no JSON summary; stderr: ${running.stderr()}`);
	}
}

/** The counts a merged summary must equal the sum of, over the agents' own summaries. */
export const summedPaths = [
	'connections.successful', 'connections.failedAttempts', 'messages.total', 'heartbeats.total', 'bytes', 'errors.total', 'reconnects',
	'connectMs.count', 'latencyMs.count', 'reconnectMs.count', 'latency.measured', 'delivery.received', 'delivery.gaps', 'delivery.duplicates',
	'clients.connected', 'clients.final.closed', 'clients.final.failed', 'buffered.budgetBytes', 'buffered.peakBytes',
] as const;

export function pick(summary: Summary, path: string): number {
	let value: unknown = summary;
	for (const part of path.split('.')) {
		value = value === null || value === undefined ? undefined : (value as Record<string, unknown>)[part];
	}

	return typeof value === 'number' ? value : 0;
}

export function assertSumsMatch(merged: Summary, parts: Summary[]): void {
	for (const path of summedPaths) {
		const sum = parts.reduce((total, part) => total + pick(part, path), 0);
		assert.equal(pick(merged, path), sum, `${path}: the merged summary has ${pick(merged, path)}, the agents' own summaries add up to ${sum}`);
	}
}

export async function exited(running: Running, what: string, withinMs: number): Promise<number | null> {
	let timer: NodeJS.Timeout | undefined;
	const timeout = new Promise<never>((_resolve, reject) => {
		timer = setTimeout(() => {
			reject(new Error(`${what} did not exit within ${withinMs} ms\nstderr: ${running.stderr()}`));
		}, withinMs);
	});
	try {
		return await Promise.race([running.code, timeout]);
	} finally {
		clearTimeout(timer);
	}
}

export async function waitForText(running: Running, text: string, withinMs: number): Promise<void> {
	const deadline = Date.now() + withinMs;
	while (!running.stderr().includes(text)) {
		if (Date.now() > deadline) {
			throw new Error(`timed out waiting for "${text}"\nstderr: ${running.stderr()}`);
		}

		await new Promise(resolve => {
			setTimeout(resolve, 25);
		});
	}
}
