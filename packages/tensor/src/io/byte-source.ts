// The byte sources the file readers accept: a file path (Node only, read with node:fs/promises), an
// ArrayBuffer, a Uint8Array, or a fetch Response (WHATWG Fetch, read with arrayBuffer()).

import { FileFormatError } from '../errors/index.js';

/** Where a reader gets a file's bytes from; a string is a file path (Node only). */
export type ByteSource = string | ArrayBuffer | Uint8Array | Response;

/** Largest read per call: Node rejects single reads of 2 GiB or more. */
const READ_CHUNK = 2 ** 30;

/**
 * Reads all bytes of `source`. A path is read with a dynamic `import('node:fs/promises')`, so this
 * module stays loadable in browsers, in chunks, so files over 2 GiB work; a Uint8Array is viewed,
 * not copied.
 *
 * @throws FileFormatError `MALFORMED_FILE` for a Response with a non-2xx status or a used body.
 */
export async function readByteSource(source: ByteSource, format: string): Promise<Uint8Array> {
  if (typeof source === 'string') return readFileBytes(source);
  if (ArrayBuffer.isView(source)) return new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
  if (Object.prototype.toString.call(source) === '[object ArrayBuffer]') return new Uint8Array(source as ArrayBuffer);
  const response = source as Response;
  const where = response.url === '' ? 'the response' : `the response from ${response.url}`;
  if (!response.ok) {
    throw new FileFormatError('MALFORMED_FILE', format, `${where} has an error status; expected 200-299, got ${response.status} ${response.statusText}.`);
  }
  if (response.bodyUsed) {
    throw new FileFormatError('MALFORMED_FILE', format, `${where} body was already read; expected an unread body, got a used one.`);
  }
  return new Uint8Array(await response.arrayBuffer());
}

async function readFileBytes(path: string): Promise<Uint8Array> {
  const { open } = await import('node:fs/promises');
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const bytes = new Uint8Array(size);
    let offset = 0;
    while (offset < size) {
      const { bytesRead } = await handle.read(bytes, offset, Math.min(size - offset, READ_CHUNK), offset);
      if (bytesRead === 0) break;
      offset += bytesRead;
    }
    return bytes.subarray(0, offset);
  } finally {
    await handle.close();
  }
}
