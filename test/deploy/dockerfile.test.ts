import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {describe, test} from 'node:test';
import {fileURLToPath} from 'node:url';
import {cliPath, runCli} from '../helpers/cli.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const dockerfile = readFileSync(`${root}Dockerfile`, 'utf8');
const packageJson = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as {version: string; bin: Record<string, string>};

/** The instructions, continuation lines joined and comments dropped. */
const instructions = dockerfile.replaceAll(/\\\n/g, ' ').split('\n').map(line => line.trim()).filter(line => line !== '' && !line.startsWith('#'));
const stages = instructions.reduce<string[][]>((all, line) => {
	if (line.startsWith('FROM ')) {
		all.push([]);
	}

	all.at(-1)?.push(line);
	return all;
}, []);
const final = stages.at(-1)!;

describe('Dockerfile', () => {
	test('multi-stage; the image installs production dependencies only and runs as a non-root user', () => {
		assert.ok(stages.length >= 2, 'a build stage and the image');
		assert.ok(final.some(line => /^RUN npm ci --omit=dev\b/.test(line)), final.join('\n'));
		const user = final.filter(line => line.startsWith('USER ')).at(-1);
		assert.ok(user && !/^USER (root|0)\b/.test(user), `runs as ${user ?? 'root'}`);
		assert.ok(!final.some(line => /^COPY (source|server|test)\b/.test(line)), 'no TypeScript sources in the image');
	});

	test('the entrypoint runs the CLI package.json names as the sse-tui bin, and that file is the CLI', async () => {
		const entry = final.find(line => line.startsWith('ENTRYPOINT '));
		assert.ok(entry, 'an ENTRYPOINT');
		const argv = JSON.parse(entry.slice('ENTRYPOINT '.length)) as string[];
		const workdir = final.filter(line => line.startsWith('WORKDIR ')).at(-1)!.slice('WORKDIR '.length);
		assert.equal(argv[0], 'node');
		assert.equal(argv[1], packageJson.bin['sse-tui']);
		// What the image copies to that path is what this build compiles to it.
		const copied = final.find(line => line.startsWith('COPY --from=') && line.includes(' ./dist/source'));
		assert.ok(copied && argv[1]!.startsWith('dist/source/'), `${workdir}/${argv[1]} comes from the build stage`);
		assert.ok(cliPath.endsWith(packageJson.bin['sse-tui']!), `${cliPath} is the bin`);
		const result = await runCli(['--version']);
		assert.equal(result.stdout.trim(), packageJson.version);
		const help = await runCli(['agent', '--help']);
		assert.equal(help.code, 0);
	});
});
