import { parseJson } from './url.js';

/**
 * The JSON body of `response`, or `undefined` when it is not JSON, cannot be read, or runs past `max`
 * characters (the rest is then not read). `response.json()` buffers whatever arrives: a broken or hostile
 * server sending an endless answer filled about 1 GB in the 5 s before the connect timeout.
 */
export async function readJson<T>(response: Response, max: number): Promise<T | undefined> {
  const reader = response.body?.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    for (;;) {
      const { value, done } = await reader!.read();
      if (done) return parseJson<T>(text);
      if ((text += decoder.decode(value, { stream: true })).length > max) return void reader!.cancel().catch(() => undefined);
    }
  } catch {
    return undefined;
  }
}
