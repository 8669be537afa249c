/** What the embedded server's integration tests share: temporary directories, queries, and the holder child process. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { chmod, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, type QueryResultRow } from 'pg';
import { isAlive } from '../process-info';
import { waitUntil } from '../wait';

export const IS_ROOT = process.getuid?.() === 0;
const REPO_ROOT = join(__dirname, '../../../../..');
const HOLDER = join(__dirname, 'hold-embedded.ts');

/**
 * A temporary directory under os.tmpdir(). Searchable by everyone (mkdtemp makes it 0700): as
 * root, the server runs as the OS user postgres, which must reach the data directory.
 */
export async function tempRoot(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await chmod(dir, 0o755);
  return dir;
}

export async function removeTemp(dir: string | undefined): Promise<void> {
  if (dir) await rm(dir, { recursive: true, force: true });
}

export async function query<R extends QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<R[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** every file's path, mode, owner and content under `dir`: to show that a refusal touched nothing */
export async function snapshot(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const name of (await readdir(d)).sort()) {
      const path = join(d, name);
      const s = await stat(path);
      out.push(`${path} ${s.mode.toString(8)} ${s.uid} ${s.isDirectory() ? '' : await readFile(path, 'utf8')}`);
      if (s.isDirectory()) await walk(path);
    }
  };
  await walk(dir);
  return out;
}

export async function gone(pid: number, ms: number): Promise<boolean> {
  return waitUntil(() => !isAlive(pid), ms);
}

export type HolderReport =
  | { ok: true; url: string; pid: number; port: number; initialised: boolean; recoveredStaleLock: boolean; node: number; uid: number }
  | { ok: false; name: string; message: string };

export interface Holder {
  readonly report: HolderReport;
  readonly child: ChildProcessWithoutNullStreams;
  readonly exited: Promise<number | null>;
}

/** hold-embedded.ts in a child Node process (as another OS user when `as` is given), once it has reported */
export function startHolder(dataDir: string, as?: { uid: number; gid: number; home: string }): Promise<Holder> {
  const child = spawn(process.execPath, ['--import', 'tsx', HOLDER, dataDir, 'fast'], {
    cwd: REPO_ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
    ...(as ? { uid: as.uid, gid: as.gid, env: { ...process.env, HOME: as.home } } : {}),
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve({ report: JSON.parse(line) as HolderReport, child, exited });
    });
    void exited.then((code) => reject(new Error(`the holder exited (${code}) before reporting: ${stderr.trim()}`)));
  });
}
