import { describe, expect, it } from 'vitest';
import { crsNameOfWkt, lookupEpsg } from '../../../electron/engine/crs/epsg.js';
import {
  epsgCodeOfWkt,
  parseWkt,
  wktAuthority,
  wktUnit,
} from '../../../electron/engine/crs/wkt.js';

describe('lookupEpsg', () => {
  it('knows UTM zone 50N as a projected CRS in metres', () => {
    const crs = lookupEpsg(32650);
    expect(crs).toMatchObject({
      code: 32650,
      name: 'WGS 84 / UTM zone 50N',
      unit: 'metre',
      geographic: false,
      metresPerUnit: 1,
    });
    expect(crs?.wkt).toMatch(/^PROJCS\["WGS 84 \/ UTM zone 50N".*AUTHORITY\["EPSG","32650"\]\]$/);
    expect(crs?.proj4).toContain('+proj=utm +zone=50');
  });

  it('knows WGS 84 as geographic, in degrees', () => {
    const crs = lookupEpsg(4326);
    expect(crs).toMatchObject({ code: 4326, name: 'WGS 84', unit: 'degree', geographic: true });
    // One degree along the WGS 84 equator.
    expect(crs?.metresPerUnit).toBeCloseTo((6378137 * Math.PI) / 180, 3);
  });

  it('uses the exact US survey foot for NAD27 / Illinois East', () => {
    const crs = lookupEpsg(26771);
    expect(crs).toMatchObject({ unit: 'US survey foot', geographic: false });
    expect(crs?.metresPerUnit).toBe(1200 / 3937);
  });

  it('knows CH1903+ / LV95 and Web Mercator', () => {
    expect(lookupEpsg(2056)).toMatchObject({
      name: 'CH1903+ / LV95',
      unit: 'metre',
      metresPerUnit: 1,
    });
    expect(lookupEpsg(3857)).toMatchObject({ name: 'WGS 84 / Pseudo-Mercator', geographic: false });
  });

  it('takes the factor from the WKT for other linear units', () => {
    expect(lookupEpsg(2222)).toMatchObject({ unit: 'foot', metresPerUnit: 0.3048 });
    // Kalianpur 1880 / India zone 0 is in Indian yards.
    expect(lookupEpsg(24370)).toMatchObject({
      unit: 'Indian yard',
      metresPerUnit: 0.914398530744441,
    });
  });

  it('returns null for unknown, non-horizontal, ESRI and invalid codes', () => {
    expect(lookupEpsg(999_999)).toBeNull();
    expect(lookupEpsg(5773)).toBeNull(); // EGM96 height (vertical)
    expect(lookupEpsg(102001)).toBeNull(); // an ESRI code shipped in epsg-index
    expect(lookupEpsg(-1)).toBeNull();
    expect(lookupEpsg(1.5)).toBeNull();
  });

  it('caches lookups', () => {
    expect(lookupEpsg(32650)).toBe(lookupEpsg(32650));
  });
});

describe('WKT1 reader', () => {
  it('parses nested nodes, numbers, bare words and doubled quotes', () => {
    const node = parseWkt(
      'PROJCS["a ""b""",UNIT["metre",1e0],AXIS["E",EAST],AUTHORITY["EPSG","3"]]',
    );
    expect(node.args[0]).toBe('a "b"');
    expect(wktUnit(node)).toEqual({ name: 'metre', factor: 1 });
    expect(wktAuthority(node)).toEqual({ name: 'EPSG', code: 3 });
    expect(node.args[2]).toEqual({ keyword: 'AXIS', args: ['E', { keyword: 'EAST', args: [] }] });
  });

  it('reports malformed WKT and reads codes and names off valid WKT', () => {
    expect(() => parseWkt('PROJCS["x",')).toThrow(/Malformed WKT/);
    const wkt = lookupEpsg(32650)!.wkt;
    expect(epsgCodeOfWkt(wkt)).toBe(32650);
    expect(epsgCodeOfWkt('LOCAL_CS["x"]')).toBeNull();
    expect(epsgCodeOfWkt('garbage')).toBeNull();
    expect(crsNameOfWkt(wkt)).toBe('WGS 84 / UTM zone 50N');
  });
});
