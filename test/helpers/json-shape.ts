/** The shape of a JSON value: its keys and the types of its leaves (an array: the shape of its first item). */
export function shapeOf(value: unknown): unknown {
	if (Array.isArray(value)) {
		return value.length === 0 ? [] : [shapeOf(value[0])];
	}

	if (value !== null && typeof value === 'object') {
		return Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)).map(([key, item]) => [key, shapeOf(item)]));
	}

	return value === null ? 'null' : typeof value;
}
