import {spawn, type ChildProcess} from 'node:child_process';
import {fileURLToPath} from 'node:url';

export const cliPath = fileURLToPath(new URL('../../source/cli.js', import.meta.url));
export const serverBinPath = fileURLToPath(new URL('server-bin.js', import.meta.url));

/** `text` as one word for a POSIX shell. */
export const shellQuote = (text: string) => `'${text.replaceAll('\'', '\'\\\'\'')}'`;

/** A command started as a user would start it, with its output collected as it arrives. */
export type Running = {
	readonly child: ChildProcess;
	/** the exit code; null when a signal ended it (including the time limit's SIGKILL) */
	readonly code: Promise<number | null>;
	stdout(): string;
	stderr(): string;
	kill(signal: NodeJS.Signals): void;
	/** true once the time limit killed it */
	timedOut(): boolean;
};

/** Starts `node script args` with a hard time limit, so a hang ends the test instead of the suite. */
export function startCommand(script: string, args: string[], {env = {}, timeoutMs = 20_000, cwd}: {env?: Record<string, string>; timeoutMs?: number; cwd?: string} = {}): Running {
	const child = spawn(process.execPath, [script, ...args], {env: {...process.env, ...env}, stdio: ['ignore', 'pipe', 'pipe'], ...(cwd === undefined ? {} : {cwd})});
	let stdout = '';
	let stderr = '';
	let timedOut = false;
	child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
		stdout += chunk;
	});
	child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
		stderr += chunk;
	});
	const timer = setTimeout(() => {
		timedOut = true;
		child.kill('SIGKILL');
	}, timeoutMs);
	const code = new Promise<number | null>(resolve => {
		child.on('close', exitCode => {
			clearTimeout(timer);
			resolve(exitCode);
		});
	});
	return {child, code, stdout: () => stdout, stderr: () => stderr, kill: signal => child.kill(signal), timedOut: () => timedOut};
}

export type CliResult = {code: number | null; stdout: string; stderr: string};

/** Runs the built `sse-tui` to the end; the environment it would inherit from a shell is cleared. */
export async function runCli(args: string[], {env = {}, timeoutMs = 20_000, onSpawn, cwd}: {env?: Record<string, string>; timeoutMs?: number; onSpawn?: (child: ChildProcess) => void; cwd?: string} = {}): Promise<CliResult> {
	const running = startCommand(cliPath, args, {env: {SSE_URL: '', SSE_CLIENTS: '', LOG_LEVEL: '', NO_COLOR: '1', ...env}, timeoutMs, ...(cwd === undefined ? {} : {cwd})});
	onSpawn?.(running.child);
	const code = await running.code;
	if (running.timedOut()) {
		throw new Error(`sse-tui ${args.join(' ')} did not exit within ${timeoutMs}ms\nstdout: ${running.stdout()}\nstderr: ${running.stderr()}`);
	}

	return {code, stdout: running.stdout(), stderr: running.stderr()};
}
