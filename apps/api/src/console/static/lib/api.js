// Calls to this server's API with the analyst's key (Authorization: Bearer dw_…).

const STORE_KEY = 'diplowatch.apiKey';

export function getKey() {
  return sessionStorage.getItem(STORE_KEY) ?? localStorage.getItem(STORE_KEY);
}

export function setKey(key, remember) {
  sessionStorage.setItem(STORE_KEY, key);
  if (remember) localStorage.setItem(STORE_KEY, key);
  else localStorage.removeItem(STORE_KEY);
}

export function forgetKey() {
  sessionStorage.removeItem(STORE_KEY);
  localStorage.removeItem(STORE_KEY);
}

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export function authHeaders() {
  const key = getKey();
  return key ? { authorization: `Bearer ${key}` } : {};
}

/** JSON in, JSON out; a non-2xx answer throws ApiError with the API's own message. */
export async function api(method, path, body, { signal } = {}) {
  const response = await fetch(path, {
    method,
    signal,
    headers: {
      accept: 'application/json',
      ...authHeaders(),
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) {
    const detail = data?.message ?? response.statusText;
    if (response.status === 401) window.dispatchEvent(new CustomEvent('dw:unauthorized'));
    throw new ApiError(
      response.status,
      `${response.status}: ${Array.isArray(detail) ? detail.join('; ') : detail}`,
    );
  }
  return data;
}

export const get = (path, options) => api('GET', path, undefined, options);

/** A query string from an object: arrays repeat the parameter, empty values are left out. */
export function queryString(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    for (const item of [value].flat()) {
      if (item === undefined || item === null || item === '') continue;
      search.append(name, String(item));
    }
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
