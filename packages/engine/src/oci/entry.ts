// One filesystem entry as it flows through the engine: out of a flattened image (or a
// generated section) and into an output writer (cpio, tar, …). Shared by image/ and initramfs/.

export type FsEntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo';

export interface FsEntry {
  /** Relative, normalised path: no leading '/', no '.' or '..' segments, never empty. */
  path: string;
  type: FsEntryType;
  /** Permission bits including setuid/setgid/sticky (0o7777), never the file-type bits. */
  mode: number;
  uid: number;
  gid: number;
  /** Content length for 'file'; 0 otherwise. */
  size: number;
  /** Symlink target (verbatim) or hardlink target (a normalised path earlier in the stream). */
  linkname?: string;
  devmajor?: number;
  devminor?: number;
  /** Seconds since the epoch as found in the source; outputs write a fixed mtime instead. */
  mtime?: number;
  xattrs?: Record<string, Buffer>;
  /**
   * Content of a 'file'. A Buffer is kept; an AsyncIterable is streamed and is valid only until
   * the producer's iterator advances (consume it before asking for the next entry).
   */
  content?: Buffer | AsyncIterable<Buffer>;
}
