import {spawn, type ChildProcess} from 'node:child_process';
import {fileURLToPath} from 'node:url';

export const cliPath = fileURLToPath(new URL('../../source/cli.js', import.meta.url));

export type CliResult = {code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string};

/** Runs the built binary as a user would, with a hard time limit so a hang fails the test. */
export function runCli(args: string[], {env = {}, timeoutMs = 20_000, onSpawn}: {env?: Record<string, string>; timeoutMs?: number; onSpawn?: (child: ChildProcess) => void} = {}): Promise<CliResult> {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, [cliPath, ...args], {
			env: {...process.env, SSE_URL: '', SSE_CLIENTS: '', LOG_LEVEL: '', NO_COLOR: '1', ...env},
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		let stdout = '';
		let stderr = '';
		child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
			stdout += chunk;
		});
		child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
			stderr += chunk;
		});
		const timer = setTimeout(() => {
			child.kill('SIGKILL');
			reject(new Error(`sse-tui ${args.join(' ')} did not exit within ${timeoutMs}ms\nstdout: ${stdout}\nstderr: ${stderr}`));
		}, timeoutMs);
		child.on('close', (code, signal) => {
			clearTimeout(timer);
			resolve({code, signal, stdout, stderr});
		});
		onSpawn?.(child);
	});
}
