/** The small raw-SQL surface the store needs beside Prisma: multi-statement scripts and parameterised queries. */
export interface SqlConnection {
  /** Run a script of several statements (simple query protocol). */
  exec(script: string): Promise<void>;
  /** Run one parameterised statement and return its rows. */
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
}
