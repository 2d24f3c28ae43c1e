/**
 * A strict reader of the Prometheus text format (0.0.4) for the metrics tests: every line must be a
 * `# HELP`, a `# TYPE`, a blank line or one sample, and every sample must belong to a declared family.
 */

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*"';
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(${LABEL}(?:,${LABEL})*)?\\})? (-?\\d+(?:\\.\\d+)?(?:e[+-]?\\d+)?|NaN|[+-]Inf)$`);
const HELP = new RegExp(`^# HELP (${NAME}) .+$`);
const TYPE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`);

/** A scrape: the type of each family and the value of each sample, keyed `name{a="x",b="y"}` (labels sorted). */
export interface Scrape {
  types: Map<string, string>;
  samples: Map<string, number>;
  /** The value of `name` with exactly `labels`; throws when the scrape has no such sample. */
  value(name: string, labels?: Record<string, string>): number;
}

const keyOf = (name: string, labels: Record<string, string>) => {
  const parts = Object.keys(labels)
    .sort()
    .map((label) => `${label}="${labels[label]}"`);
  return parts.length === 0 ? name : `${name}{${parts.join(',')}}`;
};

/** Parse `text`; throws on the first line that is not valid exposition format. */
export function parseScrape(text: string): Scrape {
  const types = new Map<string, string>();
  const samples = new Map<string, number>();
  for (const [index, line] of text.split('\n').entries()) {
    if (line === '' || HELP.test(line)) continue;
    const type = TYPE.exec(line);
    if (type) {
      types.set(type[1]!, type[2]!);
      continue;
    }
    const sample = SAMPLE.exec(line);
    if (!sample) throw new Error(`line ${index + 1} is not Prometheus text format: ${JSON.stringify(line)}`);
    const [, name, rawLabels, rawValue] = sample;
    if (!types.has(name!)) throw new Error(`line ${index + 1}: sample of ${name} before its # TYPE`);
    const labels: Record<string, string> = {};
    for (const match of (rawLabels ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[match[1]!] = match[2]!;
    const key = keyOf(name!, labels);
    if (samples.has(key)) throw new Error(`line ${index + 1}: ${key} twice`);
    samples.set(key, Number(rawValue));
  }
  return {
    types,
    samples,
    value(name, labels = {}) {
      const value = samples.get(keyOf(name, labels));
      if (value === undefined) throw new Error(`no sample ${keyOf(name, labels)} in the scrape; have ${[...samples.keys()].join(' ')}`);
      return value;
    },
  };
}

/** GET `url` and parse it, checking the status and content type. */
export async function scrape(url: string): Promise<Scrape> {
  const response = await fetch(url);
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
  const type = response.headers.get('content-type') ?? '';
  if (!type.startsWith('text/plain; version=0.0.4')) throw new Error(`${url}: content-type ${type}`);
  return parseScrape(await response.text());
}
