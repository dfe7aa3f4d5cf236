// Node-only atomic file writing: the bytes go to `${path}.tmp-<random>`, are flushed to disk, and
// the temporary file is renamed over `path` (rename(2) is atomic within a file system).

/**
 * Writes `bytes` to `path` atomically: readers see the old file or the complete new one, never a
 * partial write. The temporary file is removed if writing fails. Node only (dynamic import of
 * node:fs/promises).
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const { open, rename, rm } = await import('node:fs/promises');
  const temporary = `${path}.tmp-${Math.random().toString(36).slice(2, 10)}`;
  try {
    const handle = await open(temporary, 'wx');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
