/**
 * Why the embedded PostgreSQL could not start, one class per problem a user can act on. Each
 * message is one line that names the problem and what to do; start-up prints it as it is. No
 * error path deletes anything: the data directory is left exactly as it was found.
 */

/** The base class: `instanceof EmbeddedPostgresError` is any start-up failure of the embedded server. */
export class EmbeddedPostgresError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EmbeddedPostgresError';
  }
}

/** No PostgreSQL binaries for this platform, or they are there but cannot run. */
export class EmbeddedBinariesMissingError extends EmbeddedPostgresError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EmbeddedBinariesMissingError';
  }
}

/** The data directory was written by another PostgreSQL major version. */
export class EmbeddedDataDirVersionError extends EmbeddedPostgresError {
  constructor(
    readonly dataDir: string,
    readonly foundVersion: string,
    readonly embeddedVersion: number,
  ) {
    super(
      `The data directory ${dataDir} was written by PostgreSQL ${foundVersion}; this engine embeds PostgreSQL ${embeddedVersion}: point WORKFLOW_DATA_DIR at a new directory, or upgrade it with pg_upgrade`,
    );
    this.name = 'EmbeddedDataDirVersionError';
  }
}

/** The path holds something that is not a PostgreSQL data directory (files, or a regular file). */
export class EmbeddedDataDirNotEmptyError extends EmbeddedPostgresError {
  constructor(
    readonly dataDir: string,
    what: string,
  ) {
    super(
      `The data directory ${dataDir} ${what} and is not a PostgreSQL data directory (no PG_VERSION): point WORKFLOW_DATA_DIR at an empty or new directory`,
    );
    this.name = 'EmbeddedDataDirNotEmptyError';
  }
}

/** The data directory (or a parent) cannot be created, written or reached by the server's OS user. */
export class EmbeddedDataDirUnwritableError extends EmbeddedPostgresError {
  constructor(
    readonly dataDir: string,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super(`The data directory ${dataDir} cannot be used: ${problem}`, options);
    this.name = 'EmbeddedDataDirUnwritableError';
  }
}

/** Another running engine's embedded server holds the data directory. */
export class EmbeddedDataDirInUseError extends EmbeddedPostgresError {
  constructor(
    readonly dataDir: string,
    readonly serverPid: number,
  ) {
    super(
      `The data directory ${dataDir} is in use by another running engine's PostgreSQL (pid ${serverPid}): stop that engine first, or point WORKFLOW_DATA_DIR at another directory`,
    );
    this.name = 'EmbeddedDataDirInUseError';
  }
}

/** The port was given and is taken, or the server could not bind its port. */
export class EmbeddedPortUnavailableError extends EmbeddedPostgresError {
  constructor(
    readonly port: number,
    detail: string,
  ) {
    super(`The embedded PostgreSQL cannot listen on 127.0.0.1:${port} (${detail}): free the port, or choose another one (or none, for a free port)`);
    this.name = 'EmbeddedPortUnavailableError';
  }
}

/** The disk filled up while initialising or starting the server. */
export class EmbeddedDiskFullError extends EmbeddedPostgresError {
  constructor(
    readonly dataDir: string,
    stage: 'initdb' | 'start',
  ) {
    super(
      stage === 'initdb'
        ? `The disk is full: initialising the data directory ${dataDir} failed with "No space left on device" (nothing was left behind): free some space (about 50 MB is needed), or point WORKFLOW_DATA_DIR at another disk`
        : `The disk is full: PostgreSQL could not start in ${dataDir} ("No space left on device"): free some space, or move the data directory to another disk`,
    );
    this.name = 'EmbeddedDiskFullError';
  }
}

/** Any other failure: the server exited early (its last error line is quoted), or never became ready. */
export class EmbeddedStartError extends EmbeddedPostgresError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EmbeddedStartError';
  }
}
