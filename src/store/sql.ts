/** The small raw-SQL surface the store needs beside Prisma: multi-statement scripts and parameterised queries. */
export interface SqlConnection {
  /** Run a script of several statements (simple query protocol). */
  exec(script: string): Promise<void>;
  /** Run one parameterised statement and return its rows. */
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
}

/** A connection that can also run a function inside one transaction (the store's raw-SQL surface). */
export interface TransactionalSql extends SqlConnection {
  /**
   * Run `fn` in one transaction: committed when it resolves, rolled back when it throws. Everything
   * that must be durable together (an update's claim, its conversation, report and outbox rows) goes
   * through the `tx` handed to `fn`.
   */
  transaction<T>(fn: (tx: SqlConnection) => Promise<T>): Promise<T>;
}
