// The dashboard talks to the public /v1 API with its session cookie; a request that changes
// something carries the session's CSRF token.
let csrfToken = null;

export function setCsrf(token) {
  csrfToken = token;
}

export class ApiError extends Error {
  constructor(status, error) {
    super(error?.message || `The server answered ${status}`);
    this.status = status;
    this.param = error?.param;
    this.type = error?.type;
  }
}

export async function api(method, path, body) {
  return (await call(method, path, body)).data;
}

// The answer and its exact text: an event's payload is embedded byte for byte, which JSON.parse would not keep.
export async function apiWithText(method, path, body) {
  return call(method, path, body);
}

async function call(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let res;
  try {
    res = await fetch(path, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, { message: 'The server cannot be reached. Check that StreamHook is running.' });
  }
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) {
    const error = new ApiError(res.status, data?.error);
    if (res.status === 401 && !path.startsWith('/dashboard/api/')) window.dispatchEvent(new CustomEvent('signed-out'));
    throw error;
  }
  return { data, text };
}
