import {allFlags, type Command} from './types.js';

export type MeowFlag = {type: 'string' | 'boolean'; isMultiple?: true; shortFlag?: string};

/**
 * meow's flag spec for a command: every value a string (the resolvers validate them and name the
 * fix), booleans as booleans, repeatable flags as arrays. No defaults: an absent flag stays
 * undefined, so a config file can tell it from one given on the command line.
 */
export function meowFlags(command: Pick<Command, 'sections'>): Record<string, MeowFlag> {
	return Object.fromEntries(allFlags(command).map(flag => [flag.name, {
		type: flag.type === 'boolean' ? 'boolean' : 'string',
		...(flag.multiple ? {isMultiple: true} : {}),
		...(flag.shortFlag === undefined ? {} : {shortFlag: flag.shortFlag}),
	}]));
}
