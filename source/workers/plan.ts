import {readFileSync} from 'node:fs';
import os from 'node:os';
import type {Config} from '../config.js';
import {UsageError} from '../errors.js';

/**
 * Files a process needs beside its client sockets (stdio, IPC, the dashboard thread, DNS,
 * module files, a reconnect's socket opening while the old one closes): one process held 19,980
 * streams under a 20,000 limit (MEASURED.md), so 1,000 spare is generous, not tight.
 */
export const fileMargin = 1000;

/** The soft open-files limit of this process (Linux: /proc/self/limits), or undefined when unknown. */
export function openFileLimit(): number | undefined {
	try {
		const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find(text => text.startsWith('Max open files'));
		const soft = line?.split(/\s{2,}/)[1];
		return soft === undefined || soft === 'unlimited' ? undefined : Number.parseInt(soft, 10);
	} catch {
		return undefined;
	}
}

export type WorkerPlan = {workers: number; perWorker: number | undefined};

/**
 * How many processes hold the clients. One (in-process, no child) while the clients fit under
 * one process's open-file limit less the margin; past that, enough worker processes for the
 * clients, at most one per core unless --workers says so. Node cannot raise its own soft limit
 * (no setrlimit), so the fix for a low one is `ulimit -n $(ulimit -Hn)` before the run.
 */
export function planWorkers(config: Pick<Config, 'clients' | 'workers' | 'events'>, machine: {limit: number | undefined; cores: number} = {limit: openFileLimit(), cores: os.availableParallelism()}): WorkerPlan {
	const {limit, cores} = machine;
	// A limit far below the margin (ulimit -n 256) keeps a quarter for the process's own files instead.
	const margin = limit === undefined ? fileMargin : Math.min(fileMargin, Math.floor(limit / 4));
	const perWorker = limit === undefined ? undefined : Math.max(1, limit - margin);
	const needed = perWorker === undefined ? 1 : Math.ceil(config.clients / perWorker);
	const workers = config.workers ?? needed;
	if (perWorker !== undefined && config.clients > workers * perWorker) {
		throw new UsageError(`--clients ${config.clients} does not fit in ${workers} worker process${workers === 1 ? '' : 'es'} of at most ${perWorker} clients (open-files limit ${limit} less ${margin}): pass --workers ${needed}, or raise the open-files limit: ulimit -n $(ulimit -Hn)`);
	}

	if (config.workers === undefined && needed > cores) {
		throw new UsageError(`--clients ${config.clients} needs ${needed} worker processes of at most ${perWorker} clients (open-files limit ${limit} less ${margin}), more than the ${cores} cores: pass --workers ${needed} to run them anyway, or raise the open-files limit: ulimit -n $(ulimit -Hn)`);
	}

	if (workers > 1 && config.events === '-') {
		throw new UsageError(`--events - writes to standard output from one process and cannot be used with ${workers} worker processes: pass --events a file path (every worker appends to it)`);
	}

	return {workers, perWorker};
}
