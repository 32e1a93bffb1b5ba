import type {Config} from '../config.js';
import type {TransportCounts} from './snapshot.js';
import type {StoreOptions} from './store.js';

/**
 * What a store counting a run's clients takes from the config, in one process, a worker process
 * or an agent alike. `transport`: this process's undici transport, whose counts it reads; without
 * one, a run on undici reads the counts its sources (worker processes) sent, through `merged`.
 */
export function clientStoreOptions(config: Config, transport: {counts(): TransportCounts} | undefined, merged: () => TransportCounts): StoreOptions {
	return {
		seqField: config.seqField,
		latencyField: config.latencyField,
		subscribeOn: config.ws?.mode === 'cable' ? 'confirm' : 'open',
		streams: config.request && {renumbered: config.request.then !== 'reconnect'},
		transportCounts: transport ? () => transport.counts() : config.transport && merged,
	};
}
