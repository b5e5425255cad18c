// Live updates: the SSE stream of one of the analyst's subscriptions
// (GET /subscriptions/:id/stream). EventSource cannot send the Authorization header, so this
// reads the stream with fetch and parses it, resuming after the last alert with Last-Event-ID.

import { authHeaders } from './api.js';

const FOLLOW_KEY = 'diplowatch.liveSubscription';

/** Events that arrived on the stream since the page loaded, newest first (kept across views). */
export const liveEvents = [];
const listeners = new Set();
let state = { status: 'off', subscriptionId: null, detail: '' };
let controller = null;

export function followedSubscription() {
  return localStorage.getItem(FOLLOW_KEY);
}

export function liveState() {
  return state;
}

export function onLive(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function emit(kind, payload) {
  for (const listener of listeners) listener(kind, payload);
}

function setState(next) {
  state = { ...state, ...next };
  emit('state', state);
}

export function follow(subscriptionId, name) {
  localStorage.setItem(FOLLOW_KEY, subscriptionId);
  start(subscriptionId, name);
}

export function unfollow() {
  localStorage.removeItem(FOLLOW_KEY);
  stop();
  setState({ status: 'off', subscriptionId: null, detail: '' });
}

export function stop() {
  if (!controller) return;
  controller.abort();
  controller = null;
  setState({ status: 'off', detail: '' });
}

export function start(subscriptionId, name = '') {
  stop();
  const own = new AbortController();
  controller = own;
  setState({ status: 'connecting', subscriptionId, detail: name });
  void run(subscriptionId, own.signal);
}

async function run(subscriptionId, signal) {
  let lastEventId = null;
  let delay = 1000;
  while (!signal.aborted) {
    try {
      const headers = { accept: 'text/event-stream', ...authHeaders() };
      if (lastEventId !== null) headers['last-event-id'] = lastEventId;
      const response = await fetch(`/subscriptions/${encodeURIComponent(subscriptionId)}/stream`, {
        headers,
        signal,
      });
      if (response.status === 404 || response.status === 401 || response.status === 403) {
        setState({ status: 'error', detail: `stream refused (${response.status})` });
        return;
      }
      if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
      setState({ status: 'on' });
      delay = 1000;
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value.replace(/\r\n?/g, '\n');
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const message = parseBlock(block);
          if (message.id !== null) lastEventId = message.id;
          if (message.retry) delay = message.retry;
          if (message.data !== null) deliver(message.data);
        }
      }
    } catch (error) {
      if (signal.aborted) return;
      setState({ status: 'reconnecting', detail: error.message });
    }
    if (signal.aborted) return;
    setState({ status: 'reconnecting' });
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 30_000);
  }
}

function parseBlock(block) {
  const message = { id: null, data: null, retry: null };
  const data = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'id') message.id = value;
    else if (field === 'data') data.push(value);
    else if (field === 'retry' && /^\d+$/.test(value)) message.retry = Number(value);
  }
  if (data.length > 0) message.data = data.join('\n');
  return message;
}

function deliver(text) {
  let alert;
  try {
    alert = JSON.parse(text);
  } catch {
    return;
  }
  emit('alert', alert);
  const event = alert.diplomaticEvent;
  // Samples are made up: shown as a notice, never mixed into the events.
  if (alert.kind === 'sample' || !event?.id) return;
  const existing = liveEvents.findIndex((item) => item.id === event.id);
  if (existing >= 0) liveEvents.splice(existing, 1);
  liveEvents.unshift({ ...event, liveKind: alert.kind, liveAt: new Date().toISOString() });
  liveEvents.length = Math.min(liveEvents.length, 200);
  emit('event', liveEvents[0]);
}
