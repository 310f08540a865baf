/** The local PostgreSQL's maintenance database, from which test databases are created and dropped. */
export const PG_ADMIN_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
