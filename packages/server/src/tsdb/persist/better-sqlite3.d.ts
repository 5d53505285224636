/**
 * The part of better-sqlite3's API the chunk store uses. The package ships no types and
 * @types/better-sqlite3 is not a dependency; this declares only what is called, as documented in
 * better-sqlite3's docs/api.md (v12).
 */
declare module 'better-sqlite3' {
  namespace Database {
    interface Statement {
      run(...params: unknown[]): { changes: number; lastInsertRowid: number | bigint };
      get(...params: unknown[]): unknown;
      all(...params: unknown[]): unknown[];
      iterate(...params: unknown[]): IterableIterator<unknown>;
      /** Return only the first column of each row. */
      pluck(toggle?: boolean): this;
      /** Return rows as arrays instead of objects. */
      raw(toggle?: boolean): this;
    }
    interface Database {
      prepare(sql: string): Statement;
      exec(sql: string): this;
      pragma(source: string, options?: { simple?: boolean }): unknown;
      transaction<F extends (...args: never[]) => unknown>(fn: F): F;
      close(): this;
    }
  }
  interface DatabaseConstructor {
    new (
      filename: string,
      options?: { readonly?: boolean; fileMustExist?: boolean; timeout?: number },
    ): Database.Database;
  }
  const Database: DatabaseConstructor;
  export default Database;
}
