import { describe, expect, it } from 'vitest';
import { crsNameOfWkt, lookupEpsg, proj4Definition } from '../../../electron/engine/crs/epsg.js';
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

describe('proj4Definition', () => {
  const utm50 = lookupEpsg(32650)!;

  it("takes the CRS's own proj4, else the EPSG table's, else its WKT", () => {
    const own = '+proj=utm +zone=51 +datum=WGS84 +units=m +no_defs';
    expect(proj4Definition({ epsg: 32650, wkt: utm50.wkt, proj4: own })).toEqual({
      def: own,
      droppedGrid: null,
    });
    expect(proj4Definition({ epsg: 32650, wkt: utm50.wkt, proj4: null })?.def).toBe(utm50.proj4);
    expect(proj4Definition({ epsg: null, wkt: utm50.wkt, proj4: null })?.def).toBe(utm50.wkt);
    expect(proj4Definition({ epsg: 99_999_999, wkt: utm50.wkt })?.def).toBe(utm50.wkt);
    expect(proj4Definition({ epsg: 99_999_999, wkt: null, proj4: null })).toBeNull();
  });

  it("drops a datum grid file proj4js cannot load, from the EPSG table or the CRS's own proj4", () => {
    // The EPSG table defines NAD27 through the NTv2 grid.
    expect(lookupEpsg(26716)?.proj4).toContain('+nadgrids=NTv2_0.gsb');
    expect(proj4Definition({ epsg: 26716 })).toEqual({
      def: '+proj=utm +zone=16 +ellps=clrk66 +units=m +no_defs +type=crs',
      droppedGrid: 'NTv2_0.gsb',
    });
    expect(proj4Definition({ proj4: '+proj=tmerc +nadgrids=@conus,@null +ellps=clrk66' })).toEqual({
      def: '+proj=tmerc +ellps=clrk66',
      droppedGrid: '@conus,@null',
    });
  });

  it('keeps +nadgrids=@null (no datum shift) and leaves WKT as it is', () => {
    const merc = '+proj=merc +a=6378137 +b=6378137 +nadgrids=@null +units=m +no_defs';
    expect(proj4Definition({ proj4: merc })).toEqual({ def: merc, droppedGrid: null });
    const wkt = lookupEpsg(3857)!.wkt;
    expect(proj4Definition({ wkt })).toEqual({ def: wkt, droppedGrid: null });
  });
});
