/**
 * The small closed vocabularies of the API contract (devices, review states, export formats, patch
 * origins, export profiles and encodings): zod enums and their types, shared by the contract's
 * request schemas and its view types. Runs in Node, Electron and the browser (no Node built-ins).
 */
import { z } from 'zod';

export const deviceSchema = z.enum(['auto', 'cpu', 'webgpu', 'cuda', 'dml', 'coreml']);
export type Device = z.infer<typeof deviceSchema>;

export const reviewStateSchema = z.enum(['unreviewed', 'confirmed', 'rejected', 'field_check']);
export type ReviewState = z.infer<typeof reviewStateSchema>;

export const exportFormatSchema = z.enum(['gpkg', 'geojson', 'shp', 'csv']);
export type ExportFormat = z.infer<typeof exportFormatSchema>;

export const patchOriginSchema = z.enum(['model', 'manual', 'split', 'merge']);
export type PatchOrigin = z.infer<typeof patchOriginSchema>;

/** Export profiles the UI offers: the land-survey short codes, or LandWatch's full names. */
export const exportProfileSchema = z.enum(['builtin', 'landwatch']);
export type ExportProfileName = z.infer<typeof exportProfileSchema>;

/** Attribute encoding of Shapefiles (other formats are always UTF-8). */
export const exportEncodingSchema = z.enum(['UTF-8', 'GBK']);
export type ExportEncoding = z.infer<typeof exportEncodingSchema>;
