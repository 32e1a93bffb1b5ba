import {execFileSync, spawnSync} from 'node:child_process';
import {fileURLToPath} from 'node:url';
import {shellQuote} from './cli.js';

/**
 * The built binary in a real terminal: tmux on a socket of the test file's own (never the
 * user's tmux server), one session per terminal, the screen read with capture-pane.
 */
export const hasTmux = spawnSync('tmux', ['-V']).status === 0;

const root = fileURLToPath(new URL('../../../', import.meta.url));
const entry = 'dist/source/cli.js';
/** Nothing from the caller's environment picks the URL, the clients or the log level. */
const cleanEnv = {NO_COLOR: '1', SSE_URL: '', SSE_CLIENTS: '', LOG_LEVEL: '', REDIS_URL: ''};

export type Terminal = {
	screen(): string;
	/** tmux key names (`q`, `Enter`, `Escape`, `Down`) */
	keys(...keys: string[]): void;
	/** literal text, not key names */
	type(text: string): void;
	/** polls the screen every 100 ms until `predicate` holds; the screen as it last was in the error */
	until(predicate: (text: string) => boolean, what: string, timeoutMs?: number): Promise<string>;
	close(): void;
};

export type TerminalOptions = {columns?: number; rows?: number; env?: Record<string, string>};

/** A tmux server for one test file: `terminal(args)` runs `sse-tui args` in a new session; `close()` ends them all. */
export function createTmux(label: string): {terminal(args: readonly string[], options?: TerminalOptions): Terminal; close(): void} {
	const socket = `sse-tui-${label}-${process.pid}`;
	const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], {encoding: 'utf8'});
	let sessions = 0;
	return {
		terminal(args, {columns = 120, rows = 40, env = {}} = {}) {
			const name = `${label}-${++sessions}`;
			const assignments = Object.entries({...cleanEnv, ...env}).map(([key, value]) => `${key}=${shellQuote(value)}`).join(' ');
			// The shell prints EXIT=<code> and keeps the pane open, so the summary can be read.
			const command = `cd ${shellQuote(root)} && env ${assignments} node ${shellQuote(entry)} ${args.map(shellQuote).join(' ')}; echo EXIT=$?; sleep 60`;
			tmux('new-session', '-d', '-s', name, '-x', String(columns), '-y', String(rows), command);
			const screen = () => tmux('capture-pane', '-p', '-t', name);
			return {
				screen,
				keys(...keys) {
					tmux('send-keys', '-t', name, ...keys);
				},
				type(text) {
					tmux('send-keys', '-t', name, '-l', text);
				},
				async until(predicate, what, timeoutMs = 30_000) {
					const deadline = Date.now() + timeoutMs;
					let text = '';
					while (Date.now() < deadline) {
						text = screen();
						if (predicate(text)) {
							return text;
						}

						// eslint-disable-next-line no-await-in-loop
						await new Promise(resolve => setTimeout(resolve, 100));
					}

					throw new Error(`timed out waiting for ${what}; the screen:\n${text}`);
				},
				close() {
					spawnSync('tmux', ['-L', socket, 'kill-session', '-t', name]);
				},
			};
		},
		close() {
			spawnSync('tmux', ['-L', socket, 'kill-server']);
		},
	};
}
