import assert from 'node:assert/strict';
import {execFile} from 'node:child_process';
import {mkdtemp, readdir, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {promisify} from 'node:util';
import {after, before, describe, test} from 'node:test';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * The package as npm ships it: `npm pack` of the built tree, installed into an empty folder with
 * no dev dependencies and no source tree, then run through its bin as a user would.
 */
describe('the npm package', {timeout: 300_000}, () => {
	let dir: string;
	let bin: string;
	let files: string[];
	before(async () => {
		dir = await mkdtemp(path.join(tmpdir(), 'sse-tui-pack-'));
		// --ignore-scripts: ./test.sh has built dist already; a second tsc would rewrite it under the running tests.
		const packed = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], {cwd: root, maxBuffer: 16 * 1024 * 1024});
		const [info] = JSON.parse(packed.stdout) as Array<{filename: string; files: Array<{path: string}>}>;
		files = info!.files.map(file => file.path);
		const app = path.join(dir, 'app');
		await run('mkdir', ['-p', app]);
		await run('npm', ['init', '-y'], {cwd: app});
		await run('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--ignore-scripts', path.join(dir, info!.filename)], {cwd: app, timeout: 240_000});
		bin = path.join(app, 'node_modules', '.bin', 'sse-tui');
	});
	after(async () => {
		await rm(dir, {recursive: true, force: true});
	});

	test('ships the built code, the README and nothing a user does not need', () => {
		assert.ok(files.includes('dist/source/cli.js'));
		assert.ok(files.includes('README.md'));
		assert.ok(files.includes('package.json'));
		assert.ok(!files.some(file => file.startsWith('dist/test/') || file.startsWith('dist/bench/') || file.endsWith('.ts') && !file.endsWith('.d.ts') || file.startsWith('source/') || file.startsWith('test/')), files.filter(file => !file.startsWith('dist/')).join(', '));
	});

	test('--help, --version, serve --help and a demo run work from the installed package alone', async () => {
		const env = {...process.env, NO_COLOR: '1', SSE_URL: '', CI: 'true'};
		const help = await run(bin, ['--help'], {env});
		assert.match(help.stdout, /\$ sse-tui demo/);
		const version = await run(bin, ['--version'], {env});
		assert.match(version.stdout.trim(), /^\d+\.\d+\.\d+$/);
		const serve = await run(bin, ['serve', '--help'], {env});
		assert.match(serve.stdout, /Usage/);
		const demo = await run(bin, ['demo', '--duration', '3s', '--no-tui', '--json'], {env, timeout: 60_000});
		const summary = JSON.parse(demo.stdout) as {messages: {total: number}};
		assert.ok(summary.messages.total > 0, `messages ${summary.messages.total}`);
		assert.ok(!(await readdir(path.join(dir, 'app', 'node_modules'))).includes('typescript'), 'no dev dependency was installed');
	});
});
