/**
 * A minimal ZIP writer (deflate, no ZIP64) for handing a Shapefile's parts over HTTP as one file.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';

export function zipFiles(target: string, files: string[]): string {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const file of files) {
    const data = readFileSync(file);
    const packed = deflateRawSync(data);
    const name = Buffer.from(basename(file), 'utf8');
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, packed);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += local.length + name.length + packed.length;
  }
  const centralSize = centrals.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  writeFileSync(target, Buffer.concat([...locals, ...centrals, end]));
  return target;
}

/** The side files each multi-file export format writes next to its main file. */
const SIDECARS: Record<string, readonly string[]> = {
  '.shp': ['.shx', '.dbf', '.prj', '.cpg'],
  '.csv': ['.csvt', '.prj'],
};

/**
 * An export as one download: a Shapefile (.shp, .shx, .dbf, .prj, .cpg) or a CSV with its .csvt
 * and .prj zipped into foo.zip next to it; any other file as it is.
 */
export function zipWithSidecars(path: string): string {
  const ext = path.slice(path.lastIndexOf('.')).toLowerCase();
  const sidecars = SIDECARS[ext];
  if (!sidecars) return path;
  const base = path.slice(0, -ext.length);
  const parts = [path, ...sidecars.map((e) => base + e).filter((p) => existsSync(p))];
  return zipFiles(`${base}.zip`, parts);
}
