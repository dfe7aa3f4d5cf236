// A read-only zip archive reader (PKWARE APPNOTE.TXT 6.3.x): end of central directory record,
// zip64 end of central directory locator/record (§4.3.14-15), central directory headers with zip64
// extra fields (§4.5.3), local file headers, and stored or deflated entries. Deflate data is
// decompressed with the web-standard DecompressionStream('deflate-raw'); CRC-32 is verified.

import { FileFormatError } from '../../errors/index.js';

/** One file of a zip archive, as its central directory header describes it. */
export interface ZipEntry {
  name: string;
  /** Compression method: 0 stored, 8 deflate (others are rejected on read). */
  method: number;
  /** General purpose bit flags; bit 0 means encrypted. */
  flags: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
}

const FORMAT = 'zip';
const EOCD_SIGNATURE = 0x06054b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;
const utf8 = new TextDecoder();

/** Whether `bytes` starts like a zip archive (a local file header, or the record of an empty archive). */
export function isZipArchive(bytes: Uint8Array): boolean {
  if (bytes.length < 4) return false;
  const signature = readU32(bytes, 0);
  return signature === LOCAL_SIGNATURE || signature === EOCD_SIGNATURE;
}

/**
 * Lists the entries of a zip archive from its central directory (zip64 included).
 *
 * @throws FileFormatError `MALFORMED_FILE` for a truncated or corrupt archive.
 */
export function readZipDirectory(bytes: Uint8Array): ZipEntry[] {
  const { count, offset, size } = findCentralDirectory(bytes);
  const end = offset + size;
  const entries: ZipEntry[] = [];
  let position = offset;
  for (let index = 0; index < count; index++) {
    need(bytes, position, 46, end, `central directory entry ${index}`);
    if (readU32(bytes, position) !== CENTRAL_SIGNATURE) {
      throw malformed(`central directory entry ${index} has a bad signature; expected 0x${CENTRAL_SIGNATURE.toString(16)}, got 0x${readU32(bytes, position).toString(16)}.`);
    }
    const nameLength = readU16(bytes, position + 28);
    const extraLength = readU16(bytes, position + 30);
    const commentLength = readU16(bytes, position + 32);
    need(bytes, position + 46, nameLength + extraLength + commentLength, end, `central directory entry ${index} name and extra fields`);
    const name = utf8.decode(bytes.subarray(position + 46, position + 46 + nameLength));
    const entry: ZipEntry = {
      name,
      flags: readU16(bytes, position + 8),
      method: readU16(bytes, position + 10),
      crc32: readU32(bytes, position + 16),
      compressedSize: readU32(bytes, position + 20),
      uncompressedSize: readU32(bytes, position + 24),
      localHeaderOffset: readU32(bytes, position + 42),
    };
    applyZip64Extra(bytes, position + 46 + nameLength, extraLength, entry);
    entries.push(entry);
    position += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/**
 * Reads (and, for deflate, decompresses) one entry's data, checking its CRC-32. Stored entries are
 * returned as views into `bytes`.
 *
 * @throws FileFormatError `MALFORMED_FILE` for a truncated entry, corrupt deflate data or a CRC
 *   mismatch; `UNSUPPORTED_FORMAT` for encrypted entries or compression methods other than 0 and 8.
 */
export async function readZipEntry(bytes: Uint8Array, entry: ZipEntry): Promise<Uint8Array> {
  const what = `entry "${entry.name}"`;
  if ((entry.flags & 1) !== 0) throw new FileFormatError('UNSUPPORTED_FORMAT', FORMAT, `${what} is encrypted; expected an unencrypted entry, got flags 0x${entry.flags.toString(16)}.`);
  const header = entry.localHeaderOffset;
  need(bytes, header, 30, bytes.length, `${what} local header`);
  if (readU32(bytes, header) !== LOCAL_SIGNATURE) {
    throw malformed(`${what} local header has a bad signature; expected 0x${LOCAL_SIGNATURE.toString(16)}, got 0x${readU32(bytes, header).toString(16)}.`);
  }
  const start = header + 30 + readU16(bytes, header + 26) + readU16(bytes, header + 28);
  need(bytes, start, entry.compressedSize, bytes.length, `${what} data`);
  const raw = bytes.subarray(start, start + entry.compressedSize);
  let data: Uint8Array;
  if (entry.method === 0) {
    if (entry.compressedSize !== entry.uncompressedSize) {
      throw malformed(`${what} is stored but its sizes differ; expected ${entry.compressedSize} uncompressed bytes, got ${entry.uncompressedSize}.`);
    }
    data = raw;
  } else if (entry.method === 8) {
    data = await inflateRaw(raw, entry.uncompressedSize, what);
  } else {
    throw new FileFormatError('UNSUPPORTED_FORMAT', FORMAT, `${what} uses an unsupported compression method; expected 0 (stored) or 8 (deflate), got ${entry.method}.`);
  }
  const crc = crc32(data);
  if (crc !== entry.crc32) {
    throw malformed(`${what} fails its CRC-32 check; expected 0x${entry.crc32.toString(16)}, got 0x${crc.toString(16)}.`);
  }
  return data;
}

function findCentralDirectory(bytes: Uint8Array): { count: number; offset: number; size: number } {
  if (bytes.length < EOCD_SIZE) throw malformed(`file is too short to be a zip archive; expected at least ${EOCD_SIZE} bytes, got ${bytes.length}.`);
  let eocd = -1;
  for (let position = bytes.length - EOCD_SIZE; position >= Math.max(0, bytes.length - EOCD_SIZE - MAX_COMMENT); position--) {
    if (readU32(bytes, position) === EOCD_SIGNATURE && position + EOCD_SIZE + readU16(bytes, position + 20) <= bytes.length) {
      eocd = position;
      break;
    }
  }
  if (eocd < 0) throw malformed('end of central directory record is missing; expected a zip archive, got a file without one (truncated?).');
  let count = readU16(bytes, eocd + 10);
  let size = readU32(bytes, eocd + 12);
  let offset = readU32(bytes, eocd + 16);
  let directoryEnd = eocd;
  const locator = eocd - 20;
  if (locator >= 0 && readU32(bytes, locator) === ZIP64_LOCATOR_SIGNATURE) {
    const record = readU64(bytes, locator + 8, 'zip64 end of central directory offset');
    need(bytes, record, 56, locator, 'zip64 end of central directory record');
    if (readU32(bytes, record) !== ZIP64_EOCD_SIGNATURE) {
      throw malformed(`zip64 end of central directory record has a bad signature; expected 0x${ZIP64_EOCD_SIGNATURE.toString(16)}, got 0x${readU32(bytes, record).toString(16)}.`);
    }
    count = readU64(bytes, record + 32, 'zip64 entry count');
    size = readU64(bytes, record + 40, 'zip64 central directory size');
    offset = readU64(bytes, record + 48, 'zip64 central directory offset');
    directoryEnd = record;
  } else if (count === 0xffff || size === 0xffffffff || offset === 0xffffffff) {
    throw malformed('zip64 end of central directory locator is missing; expected one before the end record, got none.');
  }
  need(bytes, offset, size, directoryEnd, 'central directory');
  return { count, offset, size };
}

/** Replaces saturated 32-bit fields by the zip64 extended information extra field's values (§4.5.3). */
function applyZip64Extra(bytes: Uint8Array, start: number, length: number, entry: ZipEntry): void {
  const end = start + length;
  let position = start;
  while (position + 4 <= end) {
    const id = readU16(bytes, position);
    const size = readU16(bytes, position + 2);
    const dataStart = position + 4;
    need(bytes, dataStart, size, end, `entry "${entry.name}" extra field 0x${id.toString(16)}`);
    if (id === 0x0001) {
      let field = dataStart;
      const next = (what: string): number => {
        need(bytes, field, 8, dataStart + size, `entry "${entry.name}" zip64 ${what}`);
        const value = readU64(bytes, field, `entry "${entry.name}" zip64 ${what}`);
        field += 8;
        return value;
      };
      if (entry.uncompressedSize === 0xffffffff) entry.uncompressedSize = next('uncompressed size');
      if (entry.compressedSize === 0xffffffff) entry.compressedSize = next('compressed size');
      if (entry.localHeaderOffset === 0xffffffff) entry.localHeaderOffset = next('local header offset');
    }
    position = dataStart + size;
  }
}

async function inflateRaw(compressed: Uint8Array, expectedSize: number, what: string): Promise<Uint8Array> {
  const stream = new DecompressionStream('deflate-raw');
  const writer = stream.writable.getWriter();
  // Write errors also reach the reader, which reports them.
  writer.write(compressed as Uint8Array<ArrayBuffer>).catch(() => undefined);
  writer.close().catch(() => undefined);
  const reader = stream.readable.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > expectedSize) {
        await reader.cancel();
        throw malformed(`${what} inflates to more bytes than declared; expected ${expectedSize}, got more than ${total - value.length}.`);
      }
      chunks.push(value);
    }
  } catch (cause) {
    if (cause instanceof FileFormatError) throw cause;
    throw malformed(`${what} deflate data is corrupt; expected a valid deflate stream, got an error (${(cause as Error).message}).`, cause);
  }
  if (total !== expectedSize) throw malformed(`${what} inflates to the wrong size; expected ${expectedSize} bytes, got ${total}.`);
  const out = new Uint8Array(total);
  let position = 0;
  for (const chunk of chunks) {
    out.set(chunk, position);
    position += chunk.length;
  }
  return out;
}

let crcTable: Uint32Array | undefined;

/** CRC-32 (ISO 3309, the polynomial zip uses), table-driven. */
export function crc32(data: Uint8Array): number {
  crcTable ??= Uint32Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c;
  });
  const table = crcTable;
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = table[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** Checks that `[start, start + length)` lies inside `[0, limit)`. */
function need(bytes: Uint8Array, start: number, length: number, limit: number, what: string): void {
  if (start < 0 || start + length > Math.min(limit, bytes.length)) {
    throw malformed(`${what} runs past the end of its region; expected to end by byte ${Math.min(limit, bytes.length)}, got ${start + length} (truncated?).`);
  }
}

function readU16(bytes: Uint8Array, position: number): number {
  return bytes[position] | (bytes[position + 1] << 8);
}

function readU32(bytes: Uint8Array, position: number): number {
  return (bytes[position] | (bytes[position + 1] << 8) | (bytes[position + 2] << 16) | (bytes[position + 3] << 24)) >>> 0;
}

function readU64(bytes: Uint8Array, position: number, what: string): number {
  const value = readU32(bytes, position) + readU32(bytes, position + 4) * 2 ** 32;
  if (!Number.isSafeInteger(value)) throw malformed(`${what} is too large; expected at most ${Number.MAX_SAFE_INTEGER}, got ${value}.`);
  return value;
}

function malformed(message: string, cause?: unknown): FileFormatError {
  return new FileFormatError('MALFORMED_FILE', FORMAT, message, cause === undefined ? undefined : { cause });
}
