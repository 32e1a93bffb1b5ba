import {execFileSync} from 'node:child_process';
import {readFileSync} from 'node:fs';

/** Clock ticks per second of /proc's times (USER_HZ, 100 on Linux). */
const ticksPerSecond = 100;

/** CPU time (user + system, seconds) of a process so far, from /proc; 0 once it is gone. */
export function cpuSeconds(pid: number): number {
	try {
		// After the command's closing parenthesis (it may hold spaces): utime and stime are fields 14 and 15.
		const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
		return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
	} catch {
		return 0;
	}
}

/** Resident memory (bytes) of a process, from /proc; 0 once it is gone. */
export function rssBytes(pid: number): number {
	try {
		const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find(text => text.startsWith('VmRSS:'))!;
		return Number.parseInt(line.split(/\s+/)[1]!, 10) * 1024;
	} catch {
		return 0;
	}
}

/** The process ids whose parent is `pid` (a CLI's worker processes). */
export function childrenOf(pid: number): number[] {
	try {
		return execFileSync('pgrep', ['-P', String(pid)], {encoding: 'utf8'}).split('\n').filter(Boolean).map(Number);
	} catch {
		return [];
	}
}
