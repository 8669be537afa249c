/**
 * What is at the data directory's path, checked before anything runs on it: nothing yet, an empty
 * directory, a data directory of the embedded major version, or something start-up must refuse
 * (another major version, other files, a path it cannot write). It only reads.
 */
import { constants } from 'node:fs';
import { access, readFile, readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { EmbeddedDataDirNotEmptyError, EmbeddedDataDirUnwritableError, EmbeddedDataDirVersionError } from './embedded-errors';

export type DataDirState = 'absent' | 'empty' | 'cluster';

/** Throws the typed error for a path start-up must not use. */
export async function inspectDataDir(dataDir: string, majorVersion: number): Promise<DataDirState> {
  let isDir: boolean;
  try {
    isDir = (await stat(dataDir)).isDirectory();
  } catch (err) {
    if (errno(err) === 'ENOENT' || errno(err) === 'ENOTDIR') {
      await checkCreatable(dataDir);
      return 'absent';
    }
    throw unwritable(dataDir, err);
  }
  if (!isDir) throw new EmbeddedDataDirNotEmptyError(dataDir, 'is a file');
  let entries: string[];
  try {
    entries = await readdir(dataDir);
  } catch (err) {
    throw unwritable(dataDir, err);
  }
  if (entries.length === 0) {
    await checkWritable(dataDir, dataDir);
    return 'empty';
  }
  if (!entries.includes('PG_VERSION')) {
    const shown = entries.slice(0, 3).join(', ') + (entries.length > 3 ? ', ...' : '');
    throw new EmbeddedDataDirNotEmptyError(dataDir, `holds other files (${shown})`);
  }
  let version: string;
  try {
    version = (await readFile(join(dataDir, 'PG_VERSION'), 'utf8')).trim();
  } catch (err) {
    throw unwritable(dataDir, err);
  }
  if (version !== String(majorVersion)) throw new EmbeddedDataDirVersionError(dataDir, version, majorVersion);
  await checkWritable(dataDir, dataDir);
  const uid = process.getuid?.();
  const owner = (await stat(dataDir)).uid;
  // as root the directory is handed to the server's user; as anyone else PostgreSQL requires the owner
  if (uid !== undefined && uid !== 0 && owner !== uid) {
    throw new EmbeddedDataDirUnwritableError(
      dataDir,
      `it is owned by another OS user (uid ${owner}; PostgreSQL runs only as its data directory's owner): run the engine as that user or as root, or point WORKFLOW_DATA_DIR elsewhere`,
    );
  }
  return 'cluster';
}

/** The typed error for a failed file-system call on `path` (the data directory or a parent). */
export function unwritable(dataDir: string, err: unknown, path = dataDir): EmbeddedDataDirUnwritableError {
  const code = errno(err);
  const where = path === dataDir ? 'it' : path;
  const problem =
    code === 'ENOTDIR'
      ? `${path === dataDir ? 'a part of its path' : path} is a file, not a directory: point WORKFLOW_DATA_DIR at a path under a directory`
      : code === 'EROFS'
        ? `${where} is on a read-only file system: point WORKFLOW_DATA_DIR at a writable directory`
        : code === 'EACCES' || code === 'EPERM'
          ? `permission denied on ${where} (${code}): make it writable by the user the engine runs as, or point WORKFLOW_DATA_DIR elsewhere`
          : `${(err as Error).message}: point WORKFLOW_DATA_DIR at a usable directory`;
  return new EmbeddedDataDirUnwritableError(dataDir, problem, { cause: err });
}

/** the nearest existing parent must be a directory the engine may create entries in */
async function checkCreatable(dataDir: string): Promise<void> {
  let dir = dirname(dataDir);
  for (;;) {
    let isDir: boolean;
    try {
      isDir = (await stat(dir)).isDirectory();
    } catch (err) {
      // ENOTDIR: a file further up; keep walking up to name it
      const code = errno(err);
      if ((code === 'ENOENT' || code === 'ENOTDIR') && dirname(dir) !== dir) {
        dir = dirname(dir);
        continue;
      }
      throw unwritable(dataDir, err, dir);
    }
    if (!isDir) throw unwritable(dataDir, Object.assign(new Error(`${dir} is not a directory`), { code: 'ENOTDIR' }), dir);
    break;
  }
  await checkWritable(dataDir, dir);
}

async function checkWritable(dataDir: string, dir: string): Promise<void> {
  try {
    // root passes this except on a read-only or immutable file system
    await access(dir, constants.W_OK | constants.X_OK);
  } catch (err) {
    throw unwritable(dataDir, err, dir);
  }
}

function errno(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}
