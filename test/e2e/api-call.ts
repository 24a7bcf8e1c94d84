/** One API call over HTTP for the e2e specs, failing the test with the backend's message. */
import { expect, type APIRequestContext } from '@playwright/test';

export async function apiCall<T>(
  request: APIRequestContext,
  channel: string,
  data: object,
): Promise<T> {
  const res = await request.post(`/api/${channel}`, { data });
  expect(res.ok(), `${channel}: ${await res.text()}`).toBe(true);
  return (await res.json()) as T;
}
