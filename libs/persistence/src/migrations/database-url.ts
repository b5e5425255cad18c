/** Pure helpers over `postgresql://` connection URLs. Errors never repeat the URL itself. */

function parse(databaseUrl: string): URL {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    // `new URL`'s own error carries the input, password included.
    throw new Error('invalid database URL (expected postgresql://user@host:port/database)');
  }
  if (url.protocol !== 'postgresql:' && url.protocol !== 'postgres:') {
    throw new Error(`unsupported database URL scheme "${url.protocol}" (expected postgresql://)`);
  }
  return url;
}

/** The database a URL points at. */
export function databaseNameOf(databaseUrl: string): string {
  const name = decodeURIComponent(parse(databaseUrl).pathname.replace(/^\//, ''));
  if (!name) throw new Error('the database URL names no database');
  return name;
}

/** The same server, user and options, another database. */
export function withDatabaseName(databaseUrl: string, name: string): string {
  const url = parse(databaseUrl);
  url.pathname = `/${encodeURIComponent(name)}`;
  return url.toString();
}

/** For logs: the URL with its password replaced. */
export function redactDatabaseUrl(databaseUrl: string): string {
  try {
    const url = parse(databaseUrl);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '(unparseable database URL)';
  }
}

/** Removes the URL's password from a message, in case a driver error ever echoes it. */
export function scrubPassword(message: string, databaseUrl: string): string {
  let password: string;
  try {
    password = parse(databaseUrl).password;
  } catch {
    return message;
  }
  if (!password) return message;
  return [password, decodeURIComponent(password)].reduce(
    (text, secret) => text.split(secret).join('***'),
    message,
  );
}

/** A double-quoted SQL identifier (database names cannot be bind parameters). */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
