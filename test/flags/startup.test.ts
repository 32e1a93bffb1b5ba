import assert from 'node:assert/strict';
import {execFile} from 'node:child_process';
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {pathToFileURL} from 'node:url';
import {promisify} from 'node:util';
import {after, before, test} from 'node:test';
import {cliPath} from '../helpers/cli.js';

/**
 * Start-up: what `sse-tui --help` loads, seen by a module loader hook that logs every module's
 * URL (ESM, and CommonJS reached through import). The time itself is bench/startup.ts's: no timed
 * unit test.
 */
let dir: string;

before(async () => {
	dir = await mkdtemp(join(tmpdir(), 'sse-tui-startup-'));
	await writeFile(join(dir, 'hooks.mjs'), `import {appendFileSync} from 'node:fs';
export async function load(url, context, next) {
	appendFileSync(process.env.LOAD_LOG, url + '\\n');
	return next(url, context);
}
`);
	await writeFile(join(dir, 'register.mjs'), `import {register} from 'node:module';
register(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});
`);
});

after(async () => {
	await rm(dir, {recursive: true, force: true});
});

async function loadedBy(args: string[]): Promise<string[]> {
	const log = join(dir, `${args.join('_').replaceAll(/\W/g, '')}.log`);
	await writeFile(log, '');
	await promisify(execFile)(process.execPath, ['--import', join(dir, 'register.mjs'), cliPath, ...args], {env: {...process.env, LOAD_LOG: log}, cwd: dir});
	return (await readFile(log, 'utf8')).split('\n').filter(Boolean);
}

const heavy = ['ink', 'react', 'ioredis', 'ws', 'hdr-histogram-js', 'meow'];
const packagesIn = (urls: string[]) => [...new Set(urls.flatMap(url => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1] ?? []))];

test('sse-tui --help and --version load none of ink, react, ioredis, ws, hdr-histogram-js or meow', async () => {
	for (const args of [['--help'], ['--version'], ['-h']]) {
		const urls = await loadedBy(args);
		assert.ok(urls.some(url => url.endsWith('/source/cli.js')), 'the hook saw the entry');
		assert.deepEqual(packagesIn(urls).filter(name => heavy.includes(name)), [], `${args.join(' ')} loads no heavy package`);
		assert.ok(!urls.some(url => /\/source\/(run|config|engine\/|metrics\/|ui\/)/.test(url)), `${args.join(' ')} loads neither the resolver nor the engine`);
	}
});

test('sse-tui --print-config loads no dashboard, WebSocket or Redis client', async () => {
	const packages = packagesIn(await loadedBy(['--print-config']));
	assert.ok(packages.includes('meow'), 'the hook sees packages');
	for (const name of ['ink', 'react', 'ioredis', 'ws']) {
		assert.ok(!packages.includes(name), `${name} is not loaded`);
	}
});
