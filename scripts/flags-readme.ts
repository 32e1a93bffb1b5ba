/**
 * The README's flag tables, generated from source/flags/. `node dist/scripts/flags-readme.js`
 * checks them (exit 1 when the README is stale); `--write` rewrites them in place. `npm run
 * docs:flags` builds and writes.
 */
import {readFileSync, writeFileSync} from 'node:fs';
import process from 'node:process';
import {publishCommand} from '../source/flags/publish.js';
import {updateReadme} from '../source/flags/readme.js';
import {runCommand} from '../source/flags/run.js';
import {serveCommand} from '../source/flags/serve.js';

const path = new URL('../../README.md', import.meta.url);
const readme = readFileSync(path, 'utf8');
const {text, covered} = updateReadme(readme, [runCommand, serveCommand, publishCommand]);
const missing = [runCommand, serveCommand, publishCommand].flatMap(command =>
	command.sections.filter(each => !covered.get(command.id)!.has(each.id)).map(each => `flags:${command.id}:${each.id}`));
if (missing.length > 0) {
	process.stderr.write(`README.md has no table for ${missing.join(', ')}: add <!-- ${missing[0]} --> and <!-- /${missing[0]} --> where it belongs\n`);
	process.exitCode = 1;
} else if (process.argv.includes('--write')) {
	writeFileSync(path, text);
	process.stdout.write(text === readme ? 'README.md flag tables already up to date\n' : 'README.md flag tables rewritten\n');
} else if (text === readme) {
	process.stdout.write('README.md flag tables are up to date\n');
} else {
	process.stderr.write('README.md flag tables differ from source/flags/: run "npm run docs:flags"\n');
	process.exitCode = 1;
}
