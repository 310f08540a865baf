/**
 * A pure function of one string, remembered by its argument: for texts made again and again from
 * the same few inputs (a plan's choice labels). At most `limit` results are kept; past it they are
 * all forgotten at once (the inputs are a plan's, so this happens only with unexpected input).
 */
export function rememberByText<T>(fn: (text: string) => T, limit = 10_000): (text: string) => T {
  const results = new Map<string, T>();
  return (text) => {
    if (results.has(text)) return results.get(text)!;
    const value = fn(text);
    if (results.size >= limit) results.clear();
    results.set(text, value);
    return value;
  };
}
