/**
 * The same bytes as `source`, read as its reader reads them. `onBytes` sees each chunk; `onEnd` runs once, before the
 * reader learns how the stream ended: true when the source ended, false when it failed or the reader stopped reading.
 */
export function watchedStream(
  source: ReadableStream<Uint8Array>,
  onEnd: (finished: boolean) => void | Promise<void>,
  onBytes?: (bytes: Uint8Array) => void,
): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  let ended = false;
  const end = async (finished: boolean) => {
    if (ended) return;
    ended = true;
    await onEnd(finished);
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (error) {
        await end(false);
        controller.error(error);
        return;
      }
      if (chunk.done) {
        await end(true);
        controller.close();
        return;
      }
      onBytes?.(chunk.value);
      controller.enqueue(chunk.value);
    },
    async cancel(reason) {
      await end(false);
      await reader.cancel(reason);
    },
  });
}
