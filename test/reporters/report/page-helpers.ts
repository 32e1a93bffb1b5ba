/** Reading a report page (as written, or as a browser dumped it) without a DOM library. */

/** Every number the page marks with data-metric, as [path in the summary, exact value]. */
export function shownMetrics(html: string): Array<[string, number | null]> {
	return [...html.matchAll(/data-metric="([^"]+)" data-value="([^"]*)"/g)].map(match => [match[1]!, match[2] === 'null' ? null : Number(match[2])]);
}

/** The value at a dotted path (`latencyMs.p99`, `thresholds.0.value`) of a parsed summary. */
export function valueAt(object: unknown, path: string): unknown {
	return path.split('.').reduce<unknown>((value, key) => value === null || value === undefined ? undefined : (value as Record<string, unknown>)[key], object);
}

/** The JSON in `<script type="application/json" id="...">`. */
export function embeddedJson(html: string, id: string): unknown {
	const match = new RegExp(`<script type="application/json" id="${id}">([^<]*)</script>`).exec(html);
	if (!match) {
		throw new Error(`no script#${id} in the page`);
	}

	return JSON.parse(match[1]!);
}
