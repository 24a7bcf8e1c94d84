/**
 * A new project on the demo imagery, made through the API as a user would (typed paths over HTTP),
 * for specs that must not disturb the demo project the other specs share.
 */
import type { APIRequestContext } from '@playwright/test';
import { join } from 'node:path';

export interface CreatedProject {
  id: string;
  /** The scenes' CRS, e.g. "EPSG:2056" (the shipped demo). */
  crs: string;
  scenes: { before: { extent: [number, number, number, number] } };
}

export async function createDemoCopy(
  request: APIRequestContext,
  name: string,
): Promise<CreatedProject> {
  // Opening the demo writes its imagery on first start.
  await request.post('/api/project.openDemo', { data: {} });
  const home = process.env.LANDWATCH_E2E_HOME ?? '';
  const token = async (role: string, file: string) => {
    const res = await request.post('/api/file.pickImage', {
      data: { role, path: join(home, 'demo', file) },
    });
    return ((await res.json()) as { token: string }).token;
  };
  const created = await request.post('/api/project.create', {
    data: {
      name,
      beforeToken: await token('before', 'demo-before-2023-04-18.tif'),
      afterToken: await token('after', 'demo-after-2024-05-02.tif'),
    },
  });
  const project = (await created.json()) as CreatedProject;
  // A new project becomes the one the app reopens on start; the other specs expect the demo.
  await request.post('/api/project.openDemo', { data: {} });
  return project;
}
