export type FieldChange = { field: string; from: unknown; to: unknown };

/** Bookkeeping that changes with every version and says nothing about the event. */
const IGNORED = new Set(['lastSequence']);

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => a.localeCompare(b)))
      : inner,
  );
}

/**
 * What a version changed: each field of the event's state that differs from the version
 * before, with both values. The first version changes every field from null.
 */
export function describeVersionChanges(
  previous: Record<string, unknown> | null,
  next: Record<string, unknown>,
): FieldChange[] {
  const fields = new Set([...Object.keys(previous ?? {}), ...Object.keys(next)]);
  const changes: FieldChange[] = [];
  for (const field of [...fields].sort()) {
    if (IGNORED.has(field)) continue;
    const from = previous?.[field] ?? null;
    const to = next[field] ?? null;
    if (canonical(from) !== canonical(to)) changes.push({ field, from, to });
  }
  return changes;
}
