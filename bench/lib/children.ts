/**
 * Child processes for the benchmarks: forked with an IPC channel, asked for one reply at a time,
 * and all killed when the benchmark ends, fails or is interrupted. Servers and clients live in
 * different processes because one process holds at most ~19,980 sockets (20,000 open files).
 */
import {fork, type ChildProcess} from 'node:child_process';
import process from 'node:process';
import {fileURLToPath} from 'node:url';

export type Reply = {cmd: string} & Record<string, unknown>;

const children = new Set<ChildProcess>();
const exits = new Map<ChildProcess, Promise<void>>();

export class Child {
	readonly process: ChildProcess;
	readonly #waiting = new Map<string, {resolve(reply: Reply): void; reject(error: Error): void}>();
	#exited: string | undefined;
	readonly exited: Promise<void>;

	constructor(readonly name: string, script: URL, {args = [], execArgv = []}: {args?: string[]; execArgv?: string[]} = {}) {
		this.process = fork(fileURLToPath(script), args, {
			execArgv,
			env: {...process.env, NODE_ENV: 'production'},
			stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
		});
		children.add(this.process);
		this.exited = new Promise(resolve => {
			this.process.once('exit', (code, signal) => {
				this.#exited = signal ?? `code ${code}`;
				children.delete(this.process);
				exits.delete(this.process);
				for (const [cmd, waiter] of this.#waiting) {
					waiter.reject(new Error(`${this.name} exited (${signal ?? code}) while we waited for "${cmd}"`));
				}

				this.#waiting.clear();
				resolve();
			});
		});
		exits.set(this.process, this.exited);
		this.process.on('message', (reply: Reply) => {
			if (reply.cmd === 'fail') {
				const error = new Error(`${this.name}: ${String(reply['message'])}`);
				for (const waiter of this.#waiting.values()) {
					waiter.reject(error);
				}

				this.#waiting.clear();
				return;
			}

			const waiter = this.#waiting.get(reply.cmd);
			this.#waiting.delete(reply.cmd);
			waiter?.resolve(reply);
		});
	}

	/** Wait for the next `replyCmd` message (a `fail` message rejects every wait). */
	async next<T extends Reply = Reply>(replyCmd: string, timeoutMs = 60_000): Promise<T> {
		if (this.#exited !== undefined) {
			throw new Error(`${this.name} has exited (${this.#exited})`);
		}

		return new Promise<T>((resolve, reject) => {
			const timer = setTimeout(() => {
				this.#waiting.delete(replyCmd);
				reject(new Error(`no "${replyCmd}" from ${this.name} within ${timeoutMs} ms`));
			}, timeoutMs);
			this.#waiting.set(replyCmd, {
				resolve(reply) {
					clearTimeout(timer);
					resolve(reply as T);
				},
				reject(error) {
					clearTimeout(timer);
					reject(error);
				},
			});
		});
	}

	async request<T extends Reply = Reply>(message: Record<string, unknown>, replyCmd: string, timeoutMs = 60_000): Promise<T> {
		const reply = this.next<T>(replyCmd, timeoutMs);
		this.process.send(message);
		return reply;
	}

	/** Ask the child to exit (so --cpu-prof can write its profile), then kill it after `graceMs`. */
	async stop(graceMs = 3000): Promise<void> {
		if (this.#exited !== undefined) {
			return;
		}

		if (this.process.connected) {
			this.process.send({cmd: 'exit'});
		}

		const timer = setTimeout(() => this.process.kill('SIGKILL'), graceMs);
		await this.exited;
		clearTimeout(timer);
	}
}

/** SIGKILL every child still running and wait (at most 2 s) until they are gone. */
export async function killAllChildren(): Promise<void> {
	const waits: Array<Promise<void>> = [];
	for (const child of children) {
		child.kill('SIGKILL');
		waits.push(exits.get(child)!);
	}

	await Promise.race([Promise.all(waits), new Promise(resolve => {
		setTimeout(resolve, 2000).unref();
	})]);
}

/**
 * Run a benchmark's main function: every child is killed when it returns, throws, or the
 * process is interrupted; an error prints and exits 1.
 */
export function runBenchmark(main: () => Promise<number | void>): void {
	// Last resort (process.exit elsewhere): no waiting possible here, but no child survives.
	process.once('exit', () => {
		for (const child of children) {
			child.kill('SIGKILL');
		}
	});
	for (const [signal, number] of [['SIGINT', 2], ['SIGTERM', 15]] as const) {
		process.once(signal, () => {
			void killAllChildren().then(() => process.exit(128 + number));
		});
	}

	main().then(async code => {
		await killAllChildren();
		process.exit(code ?? 0);
	}, async (error: unknown) => {
		console.error(error instanceof Error ? (error.stack ?? error.message) : error);
		await killAllChildren();
		process.exit(1);
	});
}

/**
 * The child side: handle the parent's messages one by one and reply; exit when the parent
 * asks, or when it is gone (the IPC channel closes), so no child outlives its benchmark.
 */
export function serveParent(handle: (message: Record<string, unknown> & {cmd: string}) => Promise<Reply | void>): void {
	const send = (reply: Reply) => {
		if (process.connected) {
			process.send!(reply);
		}
	};

	process.on('disconnect', () => process.exit(0));
	process.on('uncaughtException', error => {
		send({cmd: 'fail', message: error.stack ?? error.message});
		process.exit(1);
	});
	process.on('message', (message: Record<string, unknown> & {cmd: string}) => {
		if (message.cmd === 'exit') {
			process.exit(0);
		}

		handle(message).then(reply => {
			if (reply) {
				send(reply);
			}
		}, (error: unknown) => {
			send({cmd: 'fail', message: error instanceof Error ? (error.stack ?? error.message) : String(error)});
		});
	});
}
