/**
 * The small picture of a project in the recent list: the after scene, whole, at most
 * {@link THUMBNAIL_SIDE} pixels on its longer side, as a PNG `data:` URI. Rendered once (reading
 * only the rows it samples, from an overview where the file has one) and kept in the project
 * file, so reopening or listing never renders it again. A scene that cannot be read gives no
 * thumbnail: the list is a convenience, never a reason to fail.
 */
import { encodePng, pngDataUri } from '../report/png.js';
import { SceneImage } from '../report/scene-image.js';
import type { ProjectStore } from '../store/project-store.js';

/** Longer side of a thumbnail, in pixels. */
export const THUMBNAIL_SIDE = 96;

/**
 * The project's thumbnail, rendered and stored on first use.
 *
 * @example
 * const uri = await projectThumbnail(store); // "data:image/png;base64,…" or null
 */
export async function projectThumbnail(store: ProjectStore): Promise<string | null> {
  const stored = store.thumbnail();
  if (stored) return stored;
  let scene: SceneImage | null = null;
  try {
    scene = await SceneImage.open(store.scene('after').path);
    const [x0, y0, x1, y1] = scene.extent;
    const k = THUMBNAIL_SIDE / Math.max(x1 - x0, y1 - y0);
    const width = Math.max(1, Math.round((x1 - x0) * k));
    const height = Math.max(1, Math.round((y1 - y0) * k));
    const rgb = await scene.render(scene.extent, width, height);
    const uri = pngDataUri(encodePng(rgb, width, height, 3));
    store.setThumbnail(uri);
    return uri;
  } catch {
    return null; // missing or unreadable imagery: listed without a picture
  } finally {
    scene?.close();
  }
}
