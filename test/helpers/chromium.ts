import {spawn, spawnSync} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';

/** The installed Chromium, or undefined (tests that need it skip; .ci/run installs it). */
export const chromium = ['chromium', 'chromium-browser', 'google-chrome'].find(name => spawnSync('which', [name]).status === 0);

export const chromiumSkip = chromium ? false : 'chromium is not installed (apt-get install chromium; .ci/run does this)';

export type ChromiumResult = {stdout: string; stderr: string; code: number | null};

/**
 * Runs headless Chromium once with `args` (e.g. --dump-dom URL) in a throwaway profile, with
 * console messages logged on stderr (`INFO:CONSOLE` lines), and kills its process group if it
 * outlives `timeoutMs`.
 */
export async function runChromium(args: string[], {timeoutMs = 45_000} = {}): Promise<ChromiumResult> {
	const profile = mkdtempSync(path.join(tmpdir(), 'sse-tui-chromium-'));
	const child = spawn(chromium!, [
		'--headless',
		'--no-sandbox',
		'--disable-gpu',
		'--disable-dev-shm-usage',
		'--no-first-run',
		'--disable-background-networking',
		'--disable-component-update',
		'--disable-sync',
		'--enable-logging=stderr',
		'--v=0',
		`--user-data-dir=${profile}`,
		...args,
	], {detached: true, env: {...process.env, TMPDIR: profile}, stdio: ['ignore', 'pipe', 'pipe']});
	let stdout = '';
	let stderr = '';
	child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
		stdout += chunk;
	});
	child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
		stderr += chunk;
	});
	const timer = setTimeout(() => {
		process.kill(-child.pid!, 'SIGKILL');
	}, timeoutMs);
	try {
		const code = await new Promise<number | null>(resolve => {
			child.on('close', resolve);
		});
		return {stdout, stderr, code};
	} finally {
		clearTimeout(timer);
		try {
			process.kill(-child.pid!, 'SIGKILL'); // A helper process left behind goes with the group.
		} catch {}

		rmSync(profile, {recursive: true, force: true, maxRetries: 5, retryDelay: 100});
	}
}

/** What the page wrote to its console (errors, uncaught exceptions, blocked loads), one entry a line. */
export function consoleLines(stderr: string): string[] {
	return stderr.split('\n').filter(line => line.includes(':CONSOLE'));
}
