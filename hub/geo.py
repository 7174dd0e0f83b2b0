"""Distances between points of the network (hubs, postcodes), for "nearest first"."""

import math

EARTH_RADIUS_KM = 6371


def km_between(lat1: object, lon1: object, lat2: object, lon2: object) -> float | None:
    """Straight-line distance on the earth's surface (haversine), plenty for "nearest";
    None when a point has no coordinates."""
    if None in (lat1, lon1, lat2, lon2):
        return None
    a1, o1, a2, o2 = (math.radians(float(str(v))) for v in (lat1, lon1, lat2, lon2))
    h = math.sin((a2 - a1) / 2) ** 2 + math.cos(a1) * math.cos(a2) * math.sin((o2 - o1) / 2) ** 2
    return EARTH_RADIUS_KM * 2 * math.asin(math.sqrt(h))
