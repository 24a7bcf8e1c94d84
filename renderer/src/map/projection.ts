/**
 * Makes a scene's CRS known to OpenLayers. With a proj4 definition from the backend the CRS is
 * registered through `ol/proj/proj4`, which also gives transforms to EPSG:4326 for lon/lat
 * display; without one, a bare metric projection still lets the map draw in scene coordinates.
 */
import proj4 from 'proj4';
import { register } from 'ol/proj/proj4.js';
import { addProjection, get as getProjection, toLonLat } from 'ol/proj.js';
import Projection from 'ol/proj/Projection.js';
import type { Coordinate } from 'ol/coordinate.js';
import type { SceneView } from '../../../electron/common/contract.js';

const CODE = /^[A-Za-z][\w-]*:[\w.-]+$/;

function hash(text: string): string {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return (h >>> 0).toString(36);
}

export interface SceneProjection {
  projection: Projection;
  /** Whether lon/lat can be computed (a proj4 definition or a built-in CRS). */
  geographicAvailable: boolean;
}

/**
 * Registers (once) and returns the projection of a scene. `crs` is used as the code when it looks
 * like one (`EPSG:32650`); a WKT CRS gets a stable synthetic code.
 */
export function sceneProjection(scene: SceneView): SceneProjection {
  const code = CODE.test(scene.crs) ? scene.crs : `LANDWATCH:${hash(scene.crs)}`;
  if (scene.proj4) {
    if (!proj4.defs(code)) {
      proj4.defs(code, scene.proj4);
      register(proj4);
    }
    const projection = getProjection(code);
    if (projection) return { projection, geographicAvailable: true };
  }
  const known = getProjection(code);
  if (known) return { projection: known, geographicAvailable: true };
  const projection = new Projection({ code, units: 'm', extent: scene.extent });
  addProjection(projection);
  return { projection, geographicAvailable: false };
}

/** `[lon, lat]` of a scene coordinate, or null if the CRS cannot be transformed. */
export function lonLatOf(coordinate: Coordinate, scene: SceneProjection): Coordinate | null {
  if (!scene.geographicAvailable) return null;
  try {
    const lonLat = toLonLat(coordinate, scene.projection);
    return Number.isFinite(lonLat[0]) && Number.isFinite(lonLat[1]) ? lonLat : null;
  } catch {
    return null;
  }
}
